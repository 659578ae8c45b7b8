"""Staff login back-off per client: a few free tries, then a lockout that doubles with each further failure."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Attempts:
    failures: int  # in a row, since the last success or a quiet spell
    locked_until: float  # clock time before which this client's logins are not even checked
    last: float  # clock time of the last failure


class LoginThrottle:
    """Remembers wrong logins by client key (its address); thread-safe; bounded in memory."""

    def __init__(
        self,
        free_attempts: int = 3,
        backoff_s: float = 2.0,
        max_backoff_s: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = 10_000,
    ) -> None:
        self.free, self.backoff, self.max_backoff = free_attempts, backoff_s, max_backoff_s
        self.clock, self.max_clients = clock, max_clients
        self._clients: dict[str, Attempts] = {}
        self._lock = threading.Lock()

    def wait_s(self, client: str) -> float:
        """Seconds before `client` may try again (0 when it may now)."""
        with self._lock:
            record = self._clients.get(client)
            return 0.0 if record is None else max(0.0, record.locked_until - self.clock())

    def failed(self, client: str) -> Attempts:
        """Count a wrong login; from the free attempts on, each one locks the client out twice as long."""
        with self._lock:
            now = self.clock()
            record = self._clients.pop(client, None)
            if record is None or now - record.last > self.max_backoff:  # a quiet spell forgives
                record = Attempts(0, now, now)
            failures = record.failures + 1
            over = failures - self.free - 1
            lock = 0.0 if over < 0 else min(self.max_backoff, self.backoff * 2.0**over)
            record = Attempts(failures, now + lock, now)
            self._clients[client] = record  # re-inserted last: the dict stays ordered by last failure
            while len(self._clients) > self.max_clients:
                self._clients.pop(next(iter(self._clients)))
            return record

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._clients.pop(client, None)
