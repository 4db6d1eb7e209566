"""A browser voice call (real aiortc peer) while Postgres goes away: the embedded one killed
with -9, or a real Debian Postgres stopped for 30 s. Questions are answered all the same, their
turns go to the journal, and once Postgres is back the history holds every turn of the call,
once each, in order."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from pipeline.models import SpeechModels
from signaling.background_server import LiveServer, live_server
from tests.caller import Caller
from tests.debian_postgres import debian_postgres, missing_reason
from tests.fault_helpers import embedded, kill9
from tests.voice_fixtures import (
    is_answer,
    on_server_loop,
    speech,
    voice_settings,
    wait_for_turns,
    wait_until_quiet,
)


def _stored(questions: int) -> Callable[[list[Any]], bool]:
    """The greeting and `questions` questions with their answers are all in the history."""

    def done(turns: list[Any]) -> bool:
        roles = [t.role for t in turns]
        return roles.count("user") == questions and roles.count("assistant") == questions + 1

    return done


async def test_call_answers_through_a_postgres_kill_and_keeps_every_turn(
    tmp_path: Path, models: SpeechModels
) -> None:
    # Unsupervised, so that the question is surely answered while Postgres is dead.
    with live_server(voice_settings(tmp_path, supervise_embedded=False)) as server:
        storage = server.app.state.ctx.storage
        caller = Caller(server.url)
        try:
            assert (await caller.connect()).status_code == 200
            await wait_until_quiet(caller)  # the greeting, stored while Postgres is up
            pg = embedded(storage, "postgres")
            await kill9(pg)

            spoken_until = await caller.say(speech(models, "Which projects used Rust?"))
            answer = await caller.wait_for(is_answer)
            assert "jitterbuf" in answer["text"].lower() and answer["spoken"]
            await wait_until_quiet(caller, after=spoken_until)  # said in full
            assert storage.turns.journal.appended >= 2  # the question, the answer, its completion

            await asyncio.to_thread(pg.restart)
            await on_server_loop(server, asyncio.wait_for(storage.turns.wait_drained(), 30))
            caller.send_json({"type": "text", "text": "Where does Jordan work now?", "mute": True})
            await caller.wait_for(lambda m: is_answer(m) and m is not answer and not m["spoken"])

            # (The typed answer's row may land a moment after its message reached the caller.)
            turns = await wait_for_turns(server, str(caller.session_id), _stored(2))
            roles = [t.role for t in turns]
            assert roles == ["assistant", "user", "assistant", "user", "assistant"], roles
            assert "rust" in turns[1].text.lower() and "jitterbuf" in turns[2].text.lower()
            # The spoken answer was settled on its own row (completed; interrupted when the typed
            # question opened a new turn before Pipecat closed the spoken one).
            assert turns[2].status != "speaking"
            assert turns[3].text == "Where does Jordan work now?"
            assert len({t.id for t in turns}) == len(turns)
        finally:
            await caller.close()


async def test_call_goes_on_while_a_real_postgres_is_stopped_for_30_s(
    tmp_path: Path, models: SpeechModels
) -> None:
    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    with (
        debian_postgres() as pg,
        live_server(
            # The caller is quiet during the outage: no idle prompt or hang-up in the middle of it.
            voice_settings(tmp_path, database_url=pg.url, idle_prompt_s=300, idle_hangup_s=600)
        ) as server,
    ):
        storage = server.app.state.ctx.storage
        caller = Caller(server.url)
        try:
            assert (await caller.connect()).status_code == 200
            await wait_until_quiet(caller)
            await asyncio.to_thread(pg.stop)
            stopped = time.monotonic()

            spoken_until = await caller.say(speech(models, "Which projects used Rust?"))
            answer = await caller.wait_for(is_answer)
            assert "jitterbuf" in answer["text"].lower()
            await wait_until_quiet(caller, after=spoken_until)
            caller.send_json({"type": "text", "text": "Any certifications?", "mute": True})
            typed = await caller.wait_for(lambda m: is_answer(m) and not m["spoken"])
            assert "kubernetes" in typed["text"].lower()
            ready = await _get(server, "/ready")
            assert ready["degraded"] == ["postgres"]

            await asyncio.sleep(max(0.0, 30 - (time.monotonic() - stopped)))  # the outage lasts 30 s
            await asyncio.to_thread(pg.start)
            await on_server_loop(server, asyncio.wait_for(storage.turns.wait_drained(), 30))
            journaled = storage.turns.journal.replayed
            assert journaled >= 4, journaled

            caller.send_json({"type": "text", "text": "Where does Jordan work now?", "mute": True})
            await caller.wait_for(lambda m: is_answer(m) and not m["spoken"] and m is not typed)
            # (The typed answer's row may land a moment after its message reached the caller.)
            turns = await wait_for_turns(server, str(caller.session_id), _stored(3))
            users = [t.text for t in turns if t.role == "user"]
            assert "rust" in users[0].lower() and users[1:] == [
                "Any certifications?",
                "Where does Jordan work now?",
            ]
            assert [t.role for t in turns] == ["assistant", *["user", "assistant"] * 3]
            print(f"\n30 s outage of a real Postgres: {journaled} writes went through the journal")
        finally:
            await caller.close()


async def _get(server: LiveServer, path: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=server.url) as client:
        body: dict[str, Any] = (await client.get(path)).json()
        return body
