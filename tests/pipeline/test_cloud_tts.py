"""TTS_PROVIDER=openai against a local stand-in of the speech API (named standin: the cloud is out
of reach), and its fallback to Piper when the API is gone, in real calls."""

from __future__ import annotations

import socket
from pathlib import Path

from pipeline.models import SpeechModels
from signaling.background_server import live_server
from tests.caller import Caller
from tests.standins.speech_server import SpeechStandIn
from tests.voice_fixtures import speech, voice_settings, wait_for_no_calls, wait_until_quiet


async def test_answers_are_spoken_by_the_cloud_standin(data_dir: Path, models: SpeechModels) -> None:
    standin = SpeechStandIn(tts_first_byte_s=0.15).start()
    try:
        settings = voice_settings(
            data_dir, tts_provider="openai", tts_base_url=standin.base_url, openai_api_key="standin-key"
        )
        with live_server(settings) as server:
            caller = Caller(server.url)
            try:
                assert (await caller.connect()).status_code == 200
                await wait_until_quiet(caller)  # greeting
                asked = await caller.say(speech(models, "Which projects used Rust?"))
                await wait_until_quiet(caller, after=asked)
                assert caller.received.first_speech_after(asked) is not None
            finally:
                await caller.close()
                await wait_for_no_calls(server)
        said = " ".join(r["input"] for r in standin.speech_requests)
        assert "jitterbuf" in said  # the answer's chunks went to the cloud voice
        assert all(r["response_format"] == "pcm" and r["voice"] == "alloy" for r in standin.speech_requests)
    finally:
        standin.stop()


async def test_a_dead_cloud_tts_falls_back_to_piper(data_dir: Path, models: SpeechModels) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    settings = voice_settings(
        data_dir, tts_provider="openai", tts_base_url=f"http://127.0.0.1:{dead}/v1", openai_api_key="k"
    )
    with live_server(settings) as server:
        caller = Caller(server.url)
        try:
            assert (await caller.connect()).status_code == 200
            await wait_until_quiet(caller)  # the greeting was heard: Piper spoke it
            asked = await caller.say(speech(models, "Which projects used Rust?"))
            await wait_until_quiet(caller, after=asked)
            assert caller.received.first_speech_after(asked) is not None
        finally:
            await caller.close()
            await wait_for_no_calls(server)
