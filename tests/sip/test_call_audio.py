"""Audio both ways through the real pipeline on a SIP call: sipp places the call, a real RTP
stream carries the caller's spoken question (Piper speech as G.711 mu-law or A-law, the caller
offering only that one), the agent answers in the same codec and its answer comes back as RTP
that our own Whisper hears the right project in; keypad presses as RFC 4733."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from pipeline.models import SpeechModels
from pipeline.stt import LocalWhisper, vocabulary_prompt
from signaling.background_server import LiveServer
from tests.sip.conftest import sip_target
from tests.sip.g711 import A_LAW, MU_LAW, Codec
from tests.sip.rtp import RtpPeer, to_8k, to_16k
from tests.sip.sipp import SippRun, free_port, media_keys, run_sipp, scenario
from tests.sip.test_signaling import sip_sessions
from tests.voice_fixtures import speech, wait_for_no_calls, wait_for_turns


def _squash(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def _names(text: str, name: str) -> bool:
    """`name` is in what our Whisper tiny heard of 8 kHz speech, allowing a mishearing of one or two
    letters: Piper samples noise, so one rendering of "jitterbuf" comes back "Chitterbuffin"."""
    return fuzz.partial_ratio(_squash(name), _squash(text)) >= NAME_MATCH


# (A wrong item scores about 50 against "jitterbuf"; a misheard one 85-90.)
NAME_MATCH = 80.0


@pytest.mark.parametrize("codec", [MU_LAW, A_LAW], ids=lambda c: c.name)
async def test_spoken_question_answered_and_keys_work(
    sip_service: LiveServer, models: SpeechModels, tmp_path: Path, codec: Codec
) -> None:
    port = free_port() & ~1
    peer = await RtpPeer.open(port, codec)
    until_bye = scenario("until_bye.xml", tmp_path)
    sipp = asyncio.create_task(
        run_sipp(
            sip_target(sip_service),
            tmp_path,
            *media_keys(port, codec),
            "-key",
            "caller",
            "+15550177",
            scenario_file=until_bye,
            timeout_s=120,
        )
    )
    heard = LocalWhisper(
        models.whisper, vocabulary_prompt(sip_service.app.state.ctx.resume.cached_engine.resume)
    )
    try:
        greeting_end = await peer.wait_quiet(after=0.0)  # the greeting, spoken over RTP
        assert "jordan" in _squash(heard.transcribe(to_16k(peer.audio_after(0.0)))), "greeting not heard"

        asked = await peer.say(to_8k(speech(models, "Which projects used Rust?")))
        assert asked > greeting_end
        await peer.wait_quiet(after=asked)
        answer = heard.transcribe(to_16k(peer.audio_after(asked)))
        assert _names(answer, "jitterbuf"), answer

        session = (await sip_sessions(sip_service))[-1]
        assert '"+15550177"' in session["caller"]
        turns = await wait_for_turns(
            sip_service,
            str(session["id"]),
            lambda ts: any(t.role == "user" and "rust" in t.text.lower() for t in ts),
        )
        assert any(t.role == "assistant" and "jitterbuf" in t.text.lower() for t in turns)

        # 0 repeats the last answer.
        pressed = await peer.press("0")
        await peer.wait_quiet(after=pressed)
        repeated = heard.transcribe(to_16k(peer.audio_after(pressed)))
        assert _names(repeated, "jitterbuf"), repeated

        # # says goodbye, then the agent hangs up: sipp gets its BYE and the scenario completes.
        pressed = await peer.press("#")
        run = await sipp
        assert run.returncode == 0, run.stdout[-2000:] + run.errors
        goodbye = heard.transcribe(to_16k(peer.audio_after(pressed)))
        assert "goodbye" in _squash(goodbye), goodbye
        # The 200's SDP answer took the one codec offered, and the agent's RTP was all in it.
        answered = run.answered_formats()
        assert answered.get(codec.payload_type) == codec.name, answered
        assert {pt for pt, name in answered.items() if name != "telephone-event"} == {codec.payload_type}
        assert not peer.foreign, f"the agent sent payload types {peer.foreign} on a {codec.name} call"
    finally:
        peer.close()
        if not sipp.done():
            sipp.cancel()
    await wait_for_no_calls(sip_service)
    ended = next(s for s in await sip_sessions(sip_service) if s["id"] == session["id"])
    assert ended["ended_at"] is not None


async def _call_until_bye(
    server: LiveServer, tmp_path: Path, peer_port: int, name: str, **values: object
) -> SippRun:
    return await run_sipp(
        sip_target(server),
        tmp_path,
        *media_keys(peer_port),
        "-key",
        "caller",
        "+15550188",
        scenario_file=scenario(name, tmp_path, **values),
        timeout_s=90,
    )


async def test_hash_by_sip_info_says_goodbye_and_hangs_up(
    sip_service: LiveServer, models: SpeechModels, tmp_path: Path
) -> None:
    port = free_port() & ~1
    peer = await RtpPeer.open(port)
    try:
        run = await _call_until_bye(sip_service, tmp_path, port, "info_key.xml", key="#", pause_ms=1000)
        assert run.returncode == 0, run.stdout[-2000:] + run.errors  # the INFO got 200, then the agent's BYE
        heard = LocalWhisper(models.whisper)
        assert "goodbye" in _squash(heard.transcribe(to_16k(peer.audio_after(0.0))))
    finally:
        peer.close()
    await wait_for_no_calls(sip_service)
    session = (await sip_sessions(sip_service))[-1]
    assert session["end_reason"] == "caller ended"


async def test_vanished_caller_is_hung_up_after_the_rtp_timeout(
    sip_service: LiveServer, tmp_path: Path
) -> None:
    # The SDP names a port where nothing answers or sends: the caller's media is gone.
    port = free_port() & ~1
    run = await _call_until_bye(sip_service, tmp_path, port, "until_bye.xml")
    assert run.returncode == 0, run.stdout[-2000:] + run.errors  # the agent sent BYE
    await wait_for_no_calls(sip_service)
    session = (await sip_sessions(sip_service))[-1]
    assert session["ended_at"] is not None and session["end_reason"] == "peer lost"


async def test_hold_and_resume_keep_the_call_going(
    sip_service: LiveServer, models: SpeechModels, tmp_path: Path
) -> None:
    port = free_port() & ~1
    peer = await RtpPeer.open(port)
    sipp = asyncio.create_task(_call_until_bye(sip_service, tmp_path, port, "hold_resume.xml"))
    try:
        # The re-INVITEs go out 0.3 s and 0.6 s after the answer, within the greeting.
        greeting_end = await peer.wait_quiet(after=0.0)
        assert not sipp.done()  # both re-INVITEs got their 200 and the call is up
        pressed = await peer.press("0")  # repeats the greeting: audio both ways after the hold
        assert pressed > greeting_end
        await peer.wait_quiet(after=pressed)
        heard = LocalWhisper(models.whisper)
        assert "jordan" in _squash(heard.transcribe(to_16k(peer.audio_after(pressed))))
        await peer.press("#")
        run = await sipp
        assert run.returncode == 0, run.stdout[-2000:] + run.errors
    finally:
        peer.close()
        if not sipp.done():
            sipp.cancel()
    await wait_for_no_calls(sip_service)
