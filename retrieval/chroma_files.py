"""What an embedded Chroma folder holds on disk: one folder per vector segment, named by the segment's id.

Chroma 1.x deletes a collection from its catalogue (chroma.sqlite3) but leaves the segment's folder behind
(chroma-core/chroma#5259, #5520), so every swapped-in build would leave one more folder. These helpers find
those orphans; only folders whose segment the catalogue no longer knows are ever removed.
"""

from __future__ import annotations

import logging
import re
import shutil
import sqlite3
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)
_SEGMENT_FOLDER = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def segment_folders(path: Path) -> set[str]:
    """Names of the segment folders (UUIDs) under the store's folder."""
    try:
        return {p.name for p in path.iterdir() if p.is_dir() and _SEGMENT_FOLDER.match(p.name)}
    except FileNotFoundError:
        return set()


def _catalogue(path: Path, query: str, args: tuple = ()) -> set[str] | None:
    """One column of Chroma's catalogue, read-only; None when it cannot be read (then nothing is removed)."""
    database = path / "chroma.sqlite3"
    if not database.is_file():
        return None
    connection = None
    try:
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
        return {str(row[0]) for row in connection.execute(query, args)}
    except sqlite3.Error as exc:  # another Chroma version's schema, a locked file: keep everything
        log.warning("cannot read the Chroma catalogue in %s (%s); leaving its folders alone", path, exc)
        return None
    finally:
        if connection is not None:
            connection.close()


def live_segments(path: Path) -> set[str] | None:
    """Ids of every segment the catalogue knows (all collections, every prefix)."""
    return _catalogue(path, "SELECT id FROM segments")


def collection_segments(path: Path, collection_id: object) -> set[str]:
    """Ids of the segments of one collection (empty when unknown)."""
    return _catalogue(path, "SELECT id FROM segments WHERE collection = ?", (str(collection_id),)) or set()


def remove_orphans(path: Path, keep: Iterable[str] = ()) -> list[str]:
    """Remove segment folders the catalogue no longer knows, except those in `keep`; returns their names.

    The folders are listed before the catalogue is read: a build created in between is then in the
    catalogue (Chroma records a segment before it writes its folder), so a live folder is never taken.
    """
    folders = segment_folders(path)
    if not folders:
        return []
    live = live_segments(path)
    if live is None:
        return []
    orphans = sorted(folders - live - set(keep))
    for name in orphans:
        shutil.rmtree(path / name, ignore_errors=True)
    if orphans:
        log.info("removed %d vector-index folder(s) of replaced builds", len(orphans))
    return orphans
