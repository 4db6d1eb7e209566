"""Recording and usage of a real call (aiortc peer over loopback): each voice turn's audio is kept,
linked to its turn, and the call's measured usage and end reason are stored with the session."""

from __future__ import annotations

import asyncio
import io
import uuid
import wave
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from pipeline.models import SpeechModels
from pipeline.stt import LocalWhisper
from signaling.background_server import LiveServer, live_server
from storage.api_keys import create_key
from storage.audio import S3AudioStore
from storage.calls import get_call
from storage.conversations import history
from storage.recordings import link_recordings, recordings
from tests.call_helpers import ask_out_loud
from tests.caller import Caller
from tests.voice_fixtures import speech, voice_settings, wait_for_no_calls, wait_for_turns, wait_until_quiet


async def _db(server: LiveServer) -> asyncpg.Connection:
    return await asyncpg.connect(server.app.state.ctx.storage.database_url)


async def _ended(server: LiveServer, session_id: str) -> None:
    conn = await _db(server)
    try:
        for _ in range(150):
            if await conn.fetchval(
                "SELECT end_reason IS NOT NULL FROM sessions WHERE id = $1", uuid.UUID(session_id)
            ):
                return
            await asyncio.sleep(0.2)
    finally:
        await conn.close()
    raise AssertionError("the call's end was never stored")


def _wav(data: bytes) -> tuple[int, bytes]:
    with wave.open(io.BytesIO(data)) as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2
        return w.getframerate(), w.readframes(w.getnframes())


async def test_call_keeps_each_voice_turns_audio_and_its_usage(
    voice_service: LiveServer, models: SpeechModels, caller: Caller
) -> None:
    assert (await caller.connect()).status_code == 200
    session_id = caller.session_id
    assert session_id
    await caller.wait_for(lambda m: m.get("type") == "transcript" and m["role"] == "assistant")
    await wait_until_quiet(caller)
    spoken_until = await caller.say(speech(models, "Which projects used Rust?"))
    await caller.wait_for(lambda m: m.get("type") == "transcript" and m["role"] == "user")
    await wait_until_quiet(caller, quiet_s=1.5, after=spoken_until)
    # A typed, muted question: a turn of the call with no audio of its own.
    caller.send_json({"type": "text", "text": "Where did Jordan study?", "mute": True})
    await caller.wait_for(
        lambda m: m.get("type") == "transcript" and m["role"] == "assistant" and "Madrid" in m["text"]
    )
    await wait_for_turns(voice_service, session_id, lambda ts: len(ts) >= 5)
    await caller.close()
    await wait_for_no_calls(voice_service)
    await _ended(voice_service, session_id)

    ctx = voice_service.app.state.ctx
    conn = await _db(voice_service)
    try:
        sid = uuid.UUID(session_id)
        turns = await history(conn, sid)
        audio = await recordings(conn, sid)
        row = await get_call(conn, ctx.owner_id, sid)
    finally:
        await conn.close()
    assert row is not None and row.end_reason == "hang-up"

    linked = link_recordings(turns, audio)
    by_text = {t.text: linked.get(t.id) for t in turns}
    question = next(t for t in turns if t.role == "user" and "rust" in t.text.lower())
    greeting = next(t for t in turns if t.role == "assistant" and "Jordan Reyes" in t.text)
    answer = next(t for t in turns if t.role == "assistant" and "jitterbuf" in t.text)
    typed = next(t for t in turns if t.role == "user" and t.text == "Where did Jordan study?")
    assert linked.get(question.id) and linked.get(greeting.id) and linked.get(answer.id), by_text
    assert typed.id not in linked  # typed: nothing was heard
    assert linked[question.id].key.startswith(f"transcriptions/{session_id}/")
    assert linked[answer.id].key.startswith(f"responses/{session_id}/")

    # The caller's recording is the question: our STT hears it again in the stored file.
    rate, pcm = _wav(await ctx.audio.get(linked[question.id].key))
    assert rate == 16000 and 1.0 < len(pcm) / 2 / rate < 8.0
    assert "rust" in LocalWhisper(models.whisper).transcribe(pcm).lower()
    rate, pcm = _wav(await ctx.audio.get(linked[answer.id].key))
    assert rate == 24000 and len(pcm) / 2 / rate > 1.0

    usage = row.usage
    assert usage["audio_in_s"] > 5 and usage["audio_out_s"] > 2
    assert 1.0 < usage["stt_s"] < usage["audio_in_s"]
    # Every spoken line was synthesized: the greeting and the answer at least; the muted one not.
    assert usage["tts_chars"] >= len(greeting.text) + len(answer.text) * 0.8
    assert usage["llm_tokens_in"] == 0 and row.cost_usd == 0.0  # all local: nothing to pay


@pytest.fixture(scope="module")
def unrecorded_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(voice_settings(tmp_path_factory.mktemp("unrecorded"), record_calls=False)) as server:
        yield server


async def test_record_calls_false_keeps_no_audio_but_still_the_usage(
    unrecorded_service: LiveServer, models: SpeechModels
) -> None:
    session_id = await ask_out_loud(
        unrecorded_service.url, models, "Where did Jordan study?", hear_answer=False
    )
    await wait_for_no_calls(unrecorded_service)
    await _ended(unrecorded_service, session_id)
    ctx = unrecorded_service.app.state.ctx
    conn = await _db(unrecorded_service)
    try:
        assert await recordings(conn, uuid.UUID(session_id)) == []
        row = await get_call(conn, ctx.owner_id, uuid.UUID(session_id))
    finally:
        await conn.close()
    assert row is not None and row.usage["stt_s"] > 0
    folder = Path(ctx.settings.data_dir) / "audio"
    assert not folder.exists() or not any(folder.rglob("*.wav"))


@pytest.fixture(scope="module")
def s3_service(moto_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = voice_settings(
        tmp_path_factory.mktemp("s3"),
        s3_bucket="call-audio",
        s3_endpoint_url=moto_url,
        s3_access_key_id="test",
        s3_secret_access_key="test",
        audio_retention_h=48,
    )
    with live_server(settings) as server:
        yield server


async def test_recordings_go_to_s3_with_a_lifecycle_rule_and_presigned_links(
    s3_service: LiveServer, models: SpeechModels
) -> None:
    ctx = s3_service.app.state.ctx
    assert isinstance(ctx.audio, S3AudioStore)
    # The service set the retention rule on the bucket when it started.
    rules = ctx.audio._client.get_bucket_lifecycle_configuration(Bucket="call-audio")["Rules"]
    assert {r["Filter"]["Prefix"]: r["Expiration"]["Days"] for r in rules} == {
        "transcriptions/": 2,
        "responses/": 2,
    }
    session_id = await ask_out_loud(s3_service.url, models, "Where did Jordan study?", hear_answer=False)
    await wait_for_no_calls(s3_service)
    await _ended(s3_service, session_id)
    keys = await ctx.audio.keys(f"transcriptions/{session_id}/")
    assert len(keys) == 1 and len(await ctx.audio.keys(f"responses/{session_id}/")) >= 1

    conn = await _db(s3_service)
    try:
        key = await create_key(conn, ctx.owner_id, "s3 test")
    finally:
        await conn.close()
    async with httpx.AsyncClient(base_url=s3_service.url) as client:
        call = (
            await client.get(f"/api/calls/{session_id}", headers={"Authorization": f"Bearer {key}"})
        ).json()
        question = next(t for t in call["transcript"] if t["role"] == "user")
        assert question["audio_url"].startswith(ctx.settings.s3_endpoint_url)  # presigned, straight from S3
        played = await client.get(question["audio_url"])
    assert played.status_code == 200 and _wav(played.content)[0] == 16000
