"""Adding and removing knowledge files (the file plus its manifest.json entry), undoable when the rebuild fails."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from reportqa.converters import convert_file
from retrieval.documents import (
    KNOWLEDGE_SUFFIXES,
    MANIFEST,
    Document,
    DocumentError,
    read_document,
    read_manifest,
)

T = TypeVar("T")
_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)


def safe_name(name: str, keep: Sequence[str] = (".txt", ".md")) -> str:
    """A file name without folders or odd characters; a suffix not in `keep` becomes .txt (converted uploads)."""
    base = Path(name.replace("\\", "/")).name
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    stem = _UNSAFE.sub("_", stem).strip("._") or "document"
    return f"{stem[:80]}{suffix if suffix in keep else '.txt'}"


def write_manifest(folder: Path, documents: dict[str, dict]) -> None:
    """Replace manifest.json atomically."""
    path = folder / MANIFEST
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(
        json.dumps({"documents": documents}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    tmp.replace(path)


@contextmanager
def _undo_on_error(folder: Path, touched: Path):
    """Restore the manifest and the touched file when the body fails."""
    manifest = (folder / MANIFEST).read_bytes() if (folder / MANIFEST).exists() else None
    original = touched.read_bytes() if touched.exists() else None
    try:
        yield
    except BaseException:
        if manifest is None:
            (folder / MANIFEST).unlink(missing_ok=True)
        else:
            (folder / MANIFEST).write_bytes(manifest)
        if original is None:
            touched.unlink(missing_ok=True)
        else:
            touched.write_bytes(original)
        raise


def add_document(
    folder: Path, upload: Path, name: str, meta: dict, rebuild: Callable[[], T]
) -> tuple[str, T]:
    """Convert and store an upload, then `rebuild()`; a refused file or failed rebuild leaves the folder as it was."""
    text = convert_file(upload, name)
    target = folder / safe_name(name)
    if target.exists():
        raise DocumentError(f"{name}: a document named {target.name} already exists; remove it first.")
    entry = {k: v for k, v in meta.items() if v not in (None, "")}
    entry.setdefault("title", Path(name).stem)
    with _undo_on_error(folder, target):
        target.write_text(text, encoding="utf-8")
        write_manifest(folder, {**read_manifest(folder), target.name: entry})
        return target.name, rebuild()


def remove_document(folder: Path, source: str, rebuild: Callable[[], T]) -> T:
    """Delete a knowledge file and its manifest entry, then `rebuild()`; undone when the rebuild fails."""
    target = folder / Path(source).name
    if not target.is_file() or target.name == MANIFEST:
        raise DocumentError(f"{source}: no such document in the knowledge folder.")
    with _undo_on_error(folder, target):
        target.unlink()
        manifest = read_manifest(folder)
        manifest.pop(target.name, None)
        write_manifest(folder, manifest)
        return rebuild()


def manifest_entry(document: Document, overrides: dict) -> dict:
    """What the manifest records for an added file: what the document says, overridden where asked."""
    found = {"title": document.title, "region": document.region, "year": document.year}
    entry = {**found, **{k: v for k, v in overrides.items() if v not in (None, "")}}
    return {k: v for k, v in entry.items() if v not in (None, "")}


def add_files(
    folder: Path, paths: Sequence[Path], overrides: dict, rebuild: Callable[[], T]
) -> tuple[list[str], list[DocumentError], T | None]:
    """Copy knowledge files in as they are (.txt, .md, .docx, .pdf), record them in the manifest, `rebuild()`.

    Every file is read first: a broken one is refused by name and not copied, the others are added. When the
    rebuild fails, the folder and manifest are as they were. Returns the added names, the refusals and what
    `rebuild()` returned (None when nothing was added)."""
    manifest = read_manifest(folder)
    added: list[str] = []
    refused: list[DocumentError] = []
    staged: list[tuple[Path, Path]] = []
    for path in map(Path, paths):
        try:
            target = folder / safe_name(path.name, KNOWLEDGE_SUFFIXES)
            if target.exists() or any(t == target for _, t in staged):
                raise DocumentError(
                    f"{path.name}: {target.name} is already in the knowledge folder; remove it first."
                )
            document = read_document(path)  # refused here, by name, before anything is copied
            manifest[target.name] = manifest_entry(document, overrides)
            staged.append((path, target))
        except DocumentError as exc:
            refused.append(exc)
    if not staged:
        return added, refused, None
    before = (folder / MANIFEST).read_bytes() if (folder / MANIFEST).exists() else None
    try:
        for source, target in staged:
            shutil.copyfile(source, target)
            added.append(target.name)
        write_manifest(folder, manifest)
        return added, refused, rebuild()
    except BaseException:
        for _, target in staged:
            target.unlink(missing_ok=True)
        if before is None:
            (folder / MANIFEST).unlink(missing_ok=True)
        else:
            (folder / MANIFEST).write_bytes(before)
        raise
