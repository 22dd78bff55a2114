"""Rate limits that hold under concurrency: a count per key and window, kept in the shared cache.

Counting rows and then inserting one (as uploads once did) lets a burst through: forty requests
all count nineteen before any inserts. Here each request takes its place with one atomic
increment in the cache (Redis' INCR in the fleet and `make run`), so the 21st of a burst is
refused whatever the timing, and every web process sees the same count.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache


class RateLimited(Exception):
    """Over a limit; `retry_after` is how many seconds until the window frees a place."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class LimiterUnavailable(Exception):
    """The cache that holds the counts cannot be reached; the request is refused, not let through."""


@dataclass(frozen=True)
class Limit:
    """At most `count` requests per `seconds`, for each key of one `scope` ("uploads", "look-changes"...)."""

    scope: str
    count: int
    seconds: int
    what: str  # for the message: "photos", "changes to this look"

    def take(self, key: str) -> None:
        """Count one request of `key`; raise RateLimited if it is over the limit (it is not counted then)."""
        name = f"limit:{self.scope}:{key}"
        try:
            # The first request opens the window; the two keys expire together with it.
            now = time.time()
            cache.add(f"{name}:start", now, self.seconds)
            cache.add(f"{name}:n", 0, self.seconds)
            try:
                taken = cache.incr(f"{name}:n")
            except ValueError:  # the window closed between the two calls: this request opens the next
                cache.set(f"{name}:start", now, self.seconds)
                cache.set(f"{name}:n", 1, self.seconds)
                taken = 1
            if taken <= self.count:
                return
            start = cache.get(f"{name}:start", now)
        except (ConnectionError, OSError) as exc:
            raise LimiterUnavailable("the service is busy; please try again in a moment") from exc
        except Exception as exc:  # redis-py's errors do not all derive from the built-in ones
            if type(exc).__module__.startswith("redis"):
                raise LimiterUnavailable("the service is busy; please try again in a moment") from exc
            raise
        retry_after = max(1, int(self.seconds - (now - start) + 0.999))
        raise RateLimited(f"more than {self.count} {self.what} in {self.seconds} s; wait {retry_after} s", retry_after)
