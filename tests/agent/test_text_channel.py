"""Typed questions on the call's data channel: same session, engine and history as voice."""

from __future__ import annotations

import asyncio

from signaling.background_server import LiveServer
from tests.caller import Caller
from tests.voice_fixtures import is_answer, wait_for_turns, wait_until_quiet


async def test_muted_text_gets_a_text_answer_and_no_voice(voice_service: LiveServer, caller: Caller) -> None:
    assert (await caller.connect()).status_code == 200
    await wait_until_quiet(caller)
    before = len(caller.received.times)
    caller.send_json({"type": "text", "text": "Which projects used Rust?", "mute": True})

    echoed = await caller.wait_for(lambda m: m.get("type") == "transcript" and m.get("role") == "user")
    assert echoed["text"] == "Which projects used Rust?"
    answer = await caller.wait_for(is_answer)
    assert "jitterbuf" in answer["text"] and answer["spoken"] is False
    await asyncio.sleep(1.5)
    assert not caller.received.speaking_at(caller.received.times[before], float("inf")), (
        "muted means no voice"
    )

    turns = await wait_for_turns(
        voice_service, str(caller.session_id), lambda ts: len([t for t in ts if t.role == "user"]) >= 1
    )
    assert [t.text for t in turns if t.role == "user"] == ["Which projects used Rust?"]
    assert any("jitterbuf" in t.text for t in turns if t.role == "assistant")


async def test_rtvi_send_text_is_answered_by_text_and_voice_in_the_same_conversation(
    voice_service: LiveServer, caller: Caller
) -> None:
    assert (await caller.connect()).status_code == 200
    await wait_until_quiet(caller)
    caller.send_json({"type": "text", "text": "Which projects used Rust?", "mute": True})
    await caller.wait_for(lambda m: is_answer(m) and "jitterbuf" in m["text"])

    sent_at = caller.received.times[-1]
    caller.send_json(
        {
            "label": "rtvi-ai",
            "type": "send-text",
            "id": "q2",
            "data": {"content": "What did they do at Cartograph?", "options": {"audio_response": True}},
        }
    )
    answer = await caller.wait_for(lambda m: is_answer(m) and "Cartograph" in m["text"])
    assert answer["spoken"] is True
    for _ in range(200):  # an unmuted text question is answered by voice too
        if caller.received.first_speech_after(sent_at) is not None:
            break
        await asyncio.sleep(0.1)
    assert caller.received.first_speech_after(sent_at) is not None, "no voice answer"

    turns = await wait_for_turns(
        voice_service, str(caller.session_id), lambda ts: len([t for t in ts if t.role == "user"]) >= 2
    )
    assert [t.text for t in turns if t.role == "user"] == [
        "Which projects used Rust?",
        "What did they do at Cartograph?",
    ]
