"""Knowledge documents: every supported file of the folder read where it lies, with title, region and year."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from retrieval.converters import UPLOAD_SUFFIXES, file_text
from retrieval.decoding import (  # re-exported: the rest of the project imports them from here
    MAX_DOCUMENT_BYTES,
    DocumentError,
    decode_bytes,
    read_limited,
    too_large,
)
from retrieval.regions import Region, region_named
from retrieval.report_metadata import read_metadata

KNOWLEDGE_SUFFIXES = UPLOAD_SUFFIXES  # .txt, .md, .pdf (text layer), .docx: the staff page's converters
TEXT_SUFFIXES = (".txt", ".md")
MANIFEST = "manifest.json"

__all__ = [
    "KNOWLEDGE_SUFFIXES",
    "MANIFEST",
    "MAX_DOCUMENT_BYTES",
    "Document",
    "DocumentError",
    "decode_bytes",
    "load_documents",
    "read_document",
    "read_limited",
    "read_manifest",
    "too_large",
]


@dataclass(frozen=True)
class Document:
    source: str  # file name, unique within the knowledge folder
    text: str
    title: str
    region: str = ""  # full name (河南省, 商丘市); see `place` for its short forms
    year: int | None = None
    origin: str = ""  # where the document comes from (publisher, URL, …)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def city(self) -> str:
        """The region under its earlier name (manifests and the staff page call it city)."""
        return self.region

    @property
    def place(self) -> Region | None:
        """The region with its short forms (河南省 → 河南, 豫, Henan), or None when unknown."""
        return region_named(self.region)


def read_manifest(folder: Path) -> dict[str, dict]:
    """Per-file metadata from manifest.json (title, region, year, source); missing file → empty."""
    path = folder / MANIFEST
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DocumentError(f"{path}: the manifest is not valid JSON ({exc}); fix or delete it.") from exc
    return dict(data.get("documents", {}))


def _year(value: object, name: str) -> int | None:
    try:
        return int(str(value)) if value not in (None, "") else None
    except ValueError:
        raise DocumentError(
            f"{name}: the manifest's year {value!r} is not a year like 2025; fix it."
        ) from None


def read_document(path: Path, meta: dict | None = None) -> Document:
    """Read one knowledge file (any of KNOWLEDGE_SUFFIXES) into a Document, or raise DocumentError naming it.

    Title, region and year come from the document itself (title line, first lines, file name); `meta`, the
    file's manifest entry, overrides each of them ("city" is the region's earlier key)."""
    text = file_text(path)
    meta = meta or {}
    found = read_metadata(text, path.stem)
    named = str(meta.get("region") or meta.get("city") or "")
    region = region_named(named) if named else found.region
    return Document(
        source=path.name,
        text=text,
        title=str(meta.get("title") or found.title),
        region=region.name if region else named,
        year=_year(meta["year"], path.name) if meta.get("year") else found.year,
        origin=str(meta.get("source", "")),
    )


def load_documents(folder: Path) -> tuple[list[Document], list[DocumentError]]:
    """All readable documents of a knowledge folder, sorted by name, and the errors of the refused ones."""
    manifest = read_manifest(folder)
    documents: list[Document] = []
    errors: list[DocumentError] = []
    for path in sorted(folder.iterdir()):
        if path.name == MANIFEST or path.name.startswith(".") or (path.is_dir() and not path.is_symlink()):
            continue  # links, pipes and devices are not skipped silently: read_document refuses them by name
        try:
            documents.append(read_document(path, manifest.get(path.name)))
        except DocumentError as exc:
            errors.append(exc)
    return documents, errors
