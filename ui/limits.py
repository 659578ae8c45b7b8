"""Server-side time limits for UI callbacks (Gradio's own time_limit only covers .stream() events)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from time import monotonic
from typing import TypeVar

T = TypeVar("T")
_POOL = ThreadPoolExecutor(max_workers=16, thread_name_prefix="rq-limited")
_DONE = object()


class CallTimeout(TimeoutError):
    """A callback ran past its time limit; its result, if it ever comes, is dropped."""


def call_with_limit(fn: Callable[[], T], seconds: float) -> T:
    """fn() run in a worker thread; CallTimeout when it takes longer than `seconds`."""
    future = _POOL.submit(fn)
    try:
        return future.result(timeout=seconds)
    except FutureTimeout as exc:
        future.cancel()
        raise CallTimeout(f"gave up after {seconds:g} s") from exc


def stream_with_limit(make: Callable[[], Iterator[T]], seconds: float) -> Iterator[T]:
    """The items of make() produced in a worker thread; CallTimeout when the whole stream outlasts `seconds`."""
    items: queue.Queue = queue.Queue()
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in make():
                items.put(item)
                if stop.is_set():  # the consumer gave up: stop pulling from the engine
                    return
            items.put(_DONE)
        except BaseException as exc:  # handed to the consumer, which re-raises it in the caller's thread
            items.put(exc)

    _POOL.submit(produce)
    deadline = monotonic() + seconds
    try:
        while True:
            try:
                item = items.get(timeout=max(0.0, deadline - monotonic()))
            except queue.Empty as exc:
                raise CallTimeout(f"gave up after {seconds:g} s") from exc
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
