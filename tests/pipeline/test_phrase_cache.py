"""The per-process phrase cache: keyed by voice and text, bounded, and used by real calls."""

from __future__ import annotations

import pytest

from pipeline.models import SpeechModels
from pipeline.phrase_cache import CachedAudio, PhraseCache, get_phrase_cache
from pipeline.scheduler import get_scheduler
from signaling.background_server import LiveServer
from tests.caller import Caller, poll
from tests.voice_fixtures import wait_until_quiet


def _audio(n_bytes: int) -> CachedAudio:
    return CachedAudio(bytes(n_bytes), 22050)


def test_only_registered_phrases_are_kept_by_voice_and_text() -> None:
    cache = PhraseCache(1_000_000)
    cache.register(["Thanks for calling.  Goodbye!"])
    assert cache.put("joe", "Thanks for calling. Goodbye!", _audio(100))  # whitespace does not matter
    assert not cache.put("joe", "Jordan used Rust at Sonora.", _audio(100))  # an answer: not a phrase
    assert cache.get("joe", "Thanks for calling. Goodbye!") is not None
    assert cache.get("amy", "Thanks for calling. Goodbye!") is None  # another voice is other audio
    assert cache.get("joe", "Jordan used Rust at Sonora.") is None


def test_the_cache_is_bounded_and_drops_the_least_recently_used() -> None:
    cache = PhraseCache(250)
    cache.register(["one", "two", "three"])
    cache.put("v", "one", _audio(100))
    cache.put("v", "two", _audio(100))
    assert cache.get("v", "one") is not None  # "one" is now more recent than "two"
    cache.put("v", "three", _audio(100))
    assert cache.size_bytes <= 250
    assert cache.get("v", "two") is None
    assert cache.get("v", "one") is not None and cache.get("v", "three") is not None
    assert not cache.put("v", "one", _audio(300))  # larger than the whole cache


async def test_prewarm_synthesizes_each_phrase_once() -> None:
    cache = PhraseCache(1_000_000)
    said: list[str] = []

    async def synthesize(text: str) -> CachedAudio:
        said.append(text)
        return _audio(10)

    assert await cache.prewarm("v", synthesize, ["Hello.", "Goodbye."]) == 2
    assert await cache.prewarm("v", synthesize, ["Hello.", "Goodbye."]) == 0
    assert said == ["Hello.", "Goodbye."]


@pytest.mark.timeout(180)
async def test_a_calls_greeting_is_played_from_the_cache(
    voice_service: LiveServer, models: SpeechModels
) -> None:
    ctx = voice_service.app.state.ctx
    greeting = ctx.resume.cached_engine.greeting()
    cache = get_phrase_cache()
    voice_id = str(models.piper_path)
    await poll(lambda: cache.get(voice_id, greeting) is not None, 120, "never prewarmed", interval_s=0.1)
    caller = Caller(voice_service.url)
    try:
        assert (await caller.connect()).status_code == 200
        await wait_until_quiet(caller)  # the whole greeting was heard
        assert caller.received.first_speech_after(0.0) is not None
        # Spoken without synthesis: no TTS job of this call went through the scheduler.
        jobs = [e for e in get_scheduler().trace if e.call_id == caller.session_id and e.kind == "tts"]
        assert jobs == [], jobs
    finally:
        await caller.close()
