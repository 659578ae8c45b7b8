"""Reader leases: a process that serves a build holds a shared lock on it, so its files outlive its replacement.

A swap drops the replaced build from Chroma's catalogue at once (readers then follow the new one), but the
folder on disk is only removed once no process still holds a lease on that build: a running app that was
reading it when a `reportqa index --rebuild` swapped in another keeps its files until it lets go. Locks are
`flock`s, so a reader that crashes lets go with its process.
"""

from __future__ import annotations

import fcntl
import re
from collections.abc import Iterable
from pathlib import Path
from typing import IO

_NAME = re.compile(r"^[A-Za-z0-9._-]+$")


class ReaderLeases:
    """Lease files `<build>.lease` (shared locks of readers) and `<build>.folders` (a dropped build's folders)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _file(self, name: str, suffix: str) -> Path:
        if not _NAME.match(name):
            raise ValueError(f"not a build name: {name!r}")
        return self.folder / f"{name}{suffix}"

    def hold(self, name: str) -> IO:
        """Take a shared lease on build `name`; keep the handle and pass it to let_go() when done."""
        self.folder.mkdir(parents=True, exist_ok=True)
        handle = open(self._file(name, ".lease"), "a+")  # noqa: SIM115 - held until let_go()
        fcntl.flock(handle, fcntl.LOCK_SH)
        return handle

    @staticmethod
    def let_go(handle: IO | None) -> None:
        if handle is not None and not handle.closed:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()

    def in_use(self, name: str) -> bool:
        """Whether any process (this one included) holds a lease on build `name`."""
        path = self._file(name, ".lease")
        if not path.exists():
            return False
        with open(path, "a+") as probe:
            try:
                fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(probe, fcntl.LOCK_UN)
            return False

    def note_dropped(self, name: str, folders: Iterable[str]) -> None:
        """Before build `name` leaves the catalogue: remember which folders were its own."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._file(name, ".folders").write_text("\n".join(sorted(folders)), encoding="utf-8")

    def held_folders(self, live: Iterable[str]) -> set[str]:
        """Folders of dropped builds that a reader still holds; forgets dropped builds nobody holds any more.

        `live` are the builds still in the catalogue: their lease files stay (readers come and go on them).
        """
        live, held = set(live), set[str]()
        if not self.folder.is_dir():
            return held
        for path in self.folder.iterdir():
            name, suffix = path.stem, path.suffix
            if name in live or suffix not in (".lease", ".folders") or not _NAME.match(name):
                continue
            if self.in_use(name):
                if suffix == ".folders":
                    held.update(path.read_text(encoding="utf-8").split())
            else:
                path.unlink(missing_ok=True)
        return held
