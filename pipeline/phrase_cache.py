"""Synthesized audio of the fixed phrases every call says, kept once per process.

The greeting, the idle prompt, the goodbyes, the refusals and the busy message are the same text
for every caller; synthesizing them again per call costs each greeting ~0.3-0.6 s of CPU at
exactly the moment a burst of callers connects. They are synthesized once (at start-up, on the
inference scheduler behind any live call's work) and replayed, keyed by voice and text. Only
registered phrases are kept, so answers never fill the cache; it is bounded by PHRASE_CACHE_MB
(least recently used first out).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from prometheus_client import Counter

log = logging.getLogger(__name__)

CACHE_LOOKUPS = Counter("resume_agent_phrase_cache_total", "Phrase cache lookups", ["result"])


@dataclass(frozen=True)
class CachedAudio:
    pcm: bytes  # 16-bit mono
    sample_rate: int

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate


def _key(text: str) -> str:
    return " ".join(text.split())


class PhraseCache:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._audio: OrderedDict[tuple[str, str], CachedAudio] = OrderedDict()
        self._phrases: set[str] = set()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def register(self, phrases: Iterable[str]) -> None:
        """Texts worth keeping (a fixed phrase, or a chunk of one, as TTS receives it)."""
        with self._lock:
            self._phrases.update(_key(p) for p in phrases if p.strip())

    def wants(self, text: str) -> bool:
        return _key(text) in self._phrases

    def get(self, voice: str, text: str) -> CachedAudio | None:
        key = (voice, _key(text))
        with self._lock:
            audio = self._audio.get(key)
            if audio is not None:
                self._audio.move_to_end(key)
        if key[1] in self._phrases:  # only phrases count: answers are not expected to hit
            CACHE_LOOKUPS.labels("hit" if audio is not None else "miss").inc()
        return audio

    def put(self, voice: str, text: str, audio: CachedAudio) -> bool:
        """Keep `audio` if `text` is a registered phrase and it fits; True if kept."""
        key = (voice, _key(text))
        size = len(audio.pcm)
        with self._lock:
            if key[1] not in self._phrases or size > self.max_bytes:
                return False
            old = self._audio.pop(key, None)
            if old is not None:
                self._bytes -= len(old.pcm)
            while self._audio and self._bytes + size > self.max_bytes:
                _, dropped = self._audio.popitem(last=False)
                self._bytes -= len(dropped.pcm)
            self._audio[key] = audio
            self._bytes += size
            return True

    def clear(self) -> None:
        with self._lock:
            self._audio.clear()
            self._bytes = 0

    async def prewarm(
        self, voice: str, synthesize: Callable[[str], Awaitable[CachedAudio]], phrases: Iterable[str]
    ) -> int:
        """Synthesize every phrase not cached yet for `voice`; returns how many were added."""
        added = 0
        texts = [_key(p) for p in phrases if p.strip()]
        self.register(texts)
        for text in texts:
            if self.get(voice, text) is not None:
                continue
            try:
                if self.put(voice, text, await synthesize(text)):
                    added += 1
            except Exception:  # a phrase that cannot be prewarmed is synthesized when said
                log.warning("could not prewarm a phrase", exc_info=True)
        return added


_cache = PhraseCache(16 * 1024 * 1024)


def get_phrase_cache() -> PhraseCache:
    return _cache


def configure_phrase_cache(max_mb: float) -> PhraseCache:
    _cache.max_bytes = int(max_mb * 1024 * 1024)
    return _cache
