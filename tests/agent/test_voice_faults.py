"""A browser voice call (real aiortc peer) while the embedded Postgres is killed with -9: the
spoken question is answered by voice, its turns go to the journal, and once Postgres is back
the history holds every turn of the call, once each, in order."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from agent.caller import Caller
from pipeline.models import SpeechModels
from signaling.background_server import LiveServer, live_server
from tests.fault_helpers import embedded, kill9
from tests.voice_fixtures import calls_of, speech, voice_settings, wait_for_turns, wait_until_quiet

T = TypeVar("T")


async def on_server_loop(server: LiveServer, coro: Coroutine[Any, Any, T]) -> T:
    future = asyncio.run_coroutine_threadsafe(coro, calls_of(server).loop)
    return await asyncio.wrap_future(future)


def _answer(m: dict) -> bool:  # type: ignore[type-arg]
    return m.get("type") == "transcript" and m.get("role") == "assistant" and "source" in m


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
            answer = await caller.wait_for(_answer)
            assert "jitterbuf" in answer["text"].lower() and answer["spoken"]
            await wait_until_quiet(caller, after=spoken_until)  # said in full
            assert storage.turns.journal.appended >= 2  # the question, the answer, its completion

            await asyncio.to_thread(pg.restart)
            await on_server_loop(server, asyncio.wait_for(storage.turns.wait_drained(), 30))
            caller.send_json({"type": "text", "text": "Where does Jordan work now?", "mute": True})
            await caller.wait_for(lambda m: _answer(m) and m is not answer and not m["spoken"])

            turns = await wait_for_turns(
                server, str(caller.session_id), lambda ts: len([t for t in ts if t.role == "user"]) == 2
            )
            roles = [t.role for t in turns]
            assert roles == ["assistant", "user", "assistant", "user", "assistant"], roles
            assert "rust" in turns[1].text.lower() and "jitterbuf" in turns[2].text.lower()
            assert turns[2].status == "completed"  # the journaled 'finish' landed on its turn
            assert turns[3].text == "Where does Jordan work now?"
            assert len({t.id for t in turns}) == len(turns)
        finally:
            await caller.close()
