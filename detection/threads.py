"""The process's second thread, for models that run beside the others, and the stage timer."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import contextmanager

_BACKGROUND: ThreadPoolExecutor | None = None


def _forget_background() -> None:
    global _BACKGROUND
    _BACKGROUND = None  # a forked child (a Celery pool process) has no copy of the parent's thread


os.register_at_fork(after_in_child=_forget_background)


def background_thread() -> ThreadPoolExecutor:
    """The process's one thread for models that run beside the others; one, so no model runs twice at once."""
    global _BACKGROUND
    if _BACKGROUND is None:
        _BACKGROUND = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scene")
    return _BACKGROUND


def later(pool: Executor | None, fn: Callable, *args) -> Future:
    """`fn(*args)` on `pool`, or at once (as a finished future) without one."""
    if pool is not None:
        return pool.submit(fn, *args)
    done: Future = Future()
    try:
        done.set_result(fn(*args))
    except Exception as exc:  # raised again where the result is asked for, as from a thread
        done.set_exception(exc)
    return done


@contextmanager
def timed(timings: dict[str, float] | None, stage: str) -> Iterator[None]:
    """Adds the milliseconds the block took to `timings[stage]` (nothing when timings is None)."""
    start = time.perf_counter()
    yield
    if timings is not None:
        timings[stage] = round(timings.get(stage, 0.0) + (time.perf_counter() - start) * 1000, 1)
