"""Caps on what one caller may hold at once, so nobody can take every line.

- calls per caller: a browser's calls per client IP (MAX_CALLS_PER_IP), a phone call per
  caller number (the network peer of a phone stream is the carrier, shared by every caller);
- offers in flight per client IP (MAX_OFFERS_IN_FLIGHT_PER_IP): an offer costs SDP parsing and
  ICE gathering before it is a call, so they are bounded too, whatever RATE_LIMIT_ENABLED says;
- phone streams not yet authenticated (PHONE_PENDING_MAX), process-wide: each is an open
  socket waiting up to PENDING_TIMEOUT_S for its secret.

In-process counts, taken synchronously (no await between check and take), so a burst of
requests cannot overshoot; each hold is released when its call or offer ends, however it ends.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from config.settings import Settings


class CapReached(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"limit of {limit} reached")
        self.limit = limit


class ConcurrencyCap:
    """At most `limit` holds per key at once."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._held: Counter[str] = Counter()

    def acquire(self, key: str) -> None:
        if self._held[key] >= self.limit:
            raise CapReached(self.limit)
        self._held[key] += 1

    def release(self, key: str) -> None:
        self._held[key] -= 1
        if self._held[key] <= 0:
            del self._held[key]

    def held(self, key: str) -> int:
        return self._held[key]

    @property
    def total(self) -> int:
        return sum(self._held.values())

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        self.acquire(key)
        try:
            yield
        finally:
            self.release(key)

    def release_when_done(self, key: str, task: asyncio.Task[None] | None) -> None:
        """Hand a hold over to a task: released when it finishes (at once if there is none)."""
        if task is None or task.done():
            self.release(key)
        else:
            task.add_done_callback(lambda _: self.release(key))


@dataclass
class CallCaps:
    calls: ConcurrencyCap  # keyed "ip:<address>" or "phone:<number>"
    offers: ConcurrencyCap  # keyed by client IP
    phone_pending: ConcurrencyCap  # one key: the whole process

    @classmethod
    def from_settings(cls, settings: Settings) -> CallCaps:
        return cls(
            calls=ConcurrencyCap(settings.max_calls_per_ip),
            offers=ConcurrencyCap(settings.max_offers_in_flight_per_ip),
            phone_pending=ConcurrencyCap(settings.phone_pending_max),
        )
