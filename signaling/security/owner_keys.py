"""Owner API keys as the service sees them: verified against their stored hash, cached briefly.

A request that presents an owner key is exempt from the per-IP limit only once the key is
verified, so the lookup sits on the hot path of every such request: results (good and bad)
are kept for OWNER_KEY_CACHE_S seconds, in a bounded map keyed by the key's hash, so a flood
of made-up keys can neither grow memory nor reach the database more than once each. A key
revoked with `resume-agent keys revoke` stops working within that time.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict

from storage.api_keys import ApiKey, verify_key
from storage.types import Executor

MAX_ENTRIES = 1024


class OwnerKeyCache:
    def __init__(self, pool: Executor, ttl_s: float, max_entries: int = MAX_ENTRIES) -> None:
        self._pool = pool
        self._ttl_s = ttl_s
        self._max = max_entries
        self._entries: OrderedDict[str, tuple[float, ApiKey | None]] = OrderedDict()

    async def verify(self, token: str) -> ApiKey | None:
        """The live key `token` is, or None when it is unknown or revoked."""
        digest = hashlib.sha256(token.encode()).hexdigest()
        now = time.monotonic()
        hit = self._entries.get(digest)
        if hit is not None and hit[0] > now:
            self._entries.move_to_end(digest)
            return hit[1]
        key = await verify_key(self._pool, token)
        if self._ttl_s > 0:
            self._entries[digest] = (now + self._ttl_s, key)
            self._entries.move_to_end(digest)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return key

    def clear(self) -> None:
        """Forget every verdict (a key revoked here takes effect at once, not within the TTL)."""
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
