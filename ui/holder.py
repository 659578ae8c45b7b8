"""The engine the UI serves, swapped for a freshly built one only when a rebuild succeeds."""

from __future__ import annotations

import threading
from collections.abc import Callable

from reportqa.engine import Engine, build_engine
from reportqa.settings import Settings


class EngineHolder:
    """Holds the current engine; `rebuild` builds a new one and swaps it in only on success."""

    def __init__(
        self, engine: Engine, settings: Settings, build: Callable[..., Engine] = build_engine
    ) -> None:
        self.engine, self.settings, self._build = engine, settings, build
        self._lock = threading.Lock()

    def rebuild(self, progress=None, force: bool = False) -> Engine:
        """Build from the knowledge folder (reusing the index when unchanged) and serve the result."""
        with self._lock:
            # Reuse the loaded embedding model: a rebuild then only embeds passages it has not seen.
            embedder = getattr(self.engine.retriever, "embedder", None)
            matcher = getattr(self.engine, "corrections", None)  # staff corrections stay in use
            extra = {"corrections": matcher.store} if matcher is not None else {}
            engine = self._build(self.settings, progress=progress, rebuild=force, embedder=embedder, **extra)
            previous, self.engine = self.engine, engine
        # Questions already running on the previous engine finish on it (its build is gone from the catalogue,
        # and a search there re-reads the new one); only its hold on the old build's files is let go.
        close = getattr(previous, "close", None)
        if close is not None and previous is not engine:
            close()
        return engine

    def document(self, source: str):
        """The served document called `source`, or None."""
        return next((d for d in self.engine.documents if d.source == source), None)
