"""Retry a flaky call with exponential backoff."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

logger = logging.getLogger(__name__)
T = TypeVar("T")


def with_retries(
    call: Callable[[], T],
    retry_on: tuple[type[BaseException], ...],
    attempts: int = 3,
    base_delay: float = 0.5,
    what: str = "request",
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `call`; on `retry_on` wait base_delay * 2**n and try again, up to `attempts` times."""
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except retry_on as exc:
            if attempt == attempts:
                raise
            delay = base_delay * 2 ** (attempt - 1)
            logger.warning("%s failed (%s); retry %d/%d in %.1fs", what, exc, attempt, attempts - 1, delay)
            sleep(delay)
    raise AssertionError("unreachable")
