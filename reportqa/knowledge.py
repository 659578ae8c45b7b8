"""Adding and removing knowledge files (text plus manifest.json entry), undoable when the rebuild fails."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from reportqa.converters import convert_file
from retrieval.documents import MANIFEST, DocumentError, read_manifest

T = TypeVar("T")
_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)


def safe_name(name: str) -> str:
    """A file name without folders or odd characters; converted uploads are stored as .txt."""
    base = Path(name.replace("\\", "/")).name
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    stem = _UNSAFE.sub("_", stem).strip("._") or "document"
    return f"{stem[:80]}{suffix if suffix in ('.txt', '.md') else '.txt'}"


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
