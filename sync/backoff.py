"""Retry timing for the sync engine: exponential backoff with full jitter, capped, honouring
``Retry-After``.

Full jitter (a uniform draw between 0 and the exponential ceiling) spreads thousands of
counters that lost the link at the same moment, so they do not all hit the gateway together
when it comes back. The cap is small (seconds, not minutes) because a clerk expects the queue
to drain "within seconds" of the province coming back; a gateway that wants less traffic says
so with ``Retry-After``, which is honoured (bounded, so one odd header cannot stop sync for a
day).
"""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass, field


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date.
    ``None`` when absent or unreadable (the caller then uses its own backoff)."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return float(int(text))
    try:
        seconds = float(text)  # tolerate "1.5", which some proxies send
    except ValueError:
        seconds = None
    if seconds is not None:
        return max(0.0, seconds)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; a naive result means "assume UTC"
        import datetime as _dt

        when = when.replace(tzinfo=_dt.UTC)
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


@dataclass
class Backoff:
    """Delay before the next attempt after ``failures`` consecutive transient failures."""

    base: float = 0.5
    cap: float = 10.0
    factor: float = 2.0
    max_retry_after: float = 600.0
    rng: random.Random = field(default_factory=random.Random, repr=False)
    failures: int = 0

    def ceiling(self) -> float:
        """Upper bound of the jitter window for the current failure count."""
        if self.failures <= 0:
            return 0.0
        # min() before pow overflow: 2**1100 would raise
        exp = min(self.failures - 1, 60)
        return min(self.cap, self.base * (self.factor ** exp))

    def next_delay(self, retry_after: float | None = None) -> float:
        """Record one more failure and return how long to wait (full jitter); never shorter
        than the server's ``Retry-After`` (bounded by ``max_retry_after``)."""
        self.failures += 1
        delay = self.rng.uniform(0.0, self.ceiling())
        if retry_after is not None:
            delay = max(delay, min(float(retry_after), self.max_retry_after))
        return delay

    def reset(self) -> None:
        """A success: the next failure starts from the base again."""
        self.failures = 0
