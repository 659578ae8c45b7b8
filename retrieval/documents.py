"""Loading knowledge files: decoding, refusal of bad files, and the manifest of document metadata."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

TEXT_SUFFIXES = (".txt", ".md")
MANIFEST = "manifest.json"
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
_ENCODINGS = ("utf-8", "gb18030")


class DocumentError(ValueError):
    """A knowledge file that cannot be indexed; the message names the file and the reason."""


@dataclass(frozen=True)
class Document:
    source: str  # file name, unique within the knowledge folder
    text: str
    title: str
    city: str = ""
    year: int | None = None
    origin: str = ""  # where the document comes from (publisher, URL, …)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def decode_bytes(data: bytes, name: str) -> str:
    """Decode UTF-8 (with or without BOM) or GB18030; refuse empty, binary or undecodable data."""
    if not data.strip():
        raise DocumentError(f"{name}: the file is empty; add text to it or remove it from the knowledge folder.")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentError(
            f"{name}: the file is {len(data) // 1_048_576} MB, over the {MAX_DOCUMENT_BYTES // 1_048_576} MB limit; split it."
        )
    if b"\x00" in data[:65536]:
        raise DocumentError(f"{name}: looks like a binary file (NUL bytes); only UTF-8 or GB18030 text is accepted.")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in _ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        break
    else:
        raise DocumentError(f"{name}: cannot be decoded as UTF-8 or GB18030; save it as UTF-8 text.")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t")
    if controls > max(8, len(text) // 100):
        raise DocumentError(f"{name}: looks like a binary file (control characters); only text is accepted.")
    if not any(ch.isalnum() for ch in text):
        raise DocumentError(f"{name}: contains no readable text.")
    return text


def read_manifest(folder: Path) -> dict[str, dict]:
    """Per-file metadata from manifest.json (title, city, year, source); missing file → empty."""
    path = folder / MANIFEST
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DocumentError(f"{path}: the manifest is not valid JSON ({exc}); fix or delete it.") from exc
    return dict(data.get("documents", {}))


def read_document(path: Path, meta: dict | None = None) -> Document:
    """Read one knowledge file into a Document, or raise DocumentError naming it."""
    if path.suffix.lower() not in TEXT_SUFFIXES:
        raise DocumentError(f"{path.name}: unsupported file type {path.suffix!r}; use .txt or .md.")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{path.name}: cannot be read ({exc.strerror}).") from exc
    text = decode_bytes(data, path.name)
    meta = meta or {}
    year = meta.get("year")
    return Document(
        source=path.name,
        text=text,
        title=str(meta.get("title") or path.stem),
        city=str(meta.get("city", "")),
        year=int(year) if year else None,
        origin=str(meta.get("source", "")),
    )


def load_documents(folder: Path) -> tuple[list[Document], list[DocumentError]]:
    """All readable documents of a knowledge folder, sorted by name, and the errors of the refused ones."""
    manifest = read_manifest(folder)
    documents: list[Document] = []
    errors: list[DocumentError] = []
    for path in sorted(folder.iterdir()):
        if path.name == MANIFEST or path.name.startswith(".") or not path.is_file():
            continue
        try:
            documents.append(read_document(path, manifest.get(path.name)))
        except DocumentError as exc:
            errors.append(exc)
    return documents, errors
