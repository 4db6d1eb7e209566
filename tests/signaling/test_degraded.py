"""With the embedded Redis or Postgres killed (kill -9, no supervisor), the service still answers.

Rate limits fall back to in-process windows, the answer cache is skipped, conversation state
stays in the process, /ready names what is down; with Postgres down the turns go to the
journal, and replay exactly once, in order, once it is back.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from pathlib import Path

import psutil
from prometheus_client import REGISTRY

from config.settings import Settings
from storage.conversations import history
from tests.conftest import running_app
from tests.fault_helpers import auth, embedded, kill9


def _degraded(part: str, what: str) -> float:
    return REGISTRY.get_sample_value("resume_agent_degraded_total", {"part": part, "what": what}) or 0.0


async def test_redis_killed_answers_and_limits_in_process(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(
        data_dir=tmp_path, supervise_embedded=False, rate_limit_enabled=True, rate_limit_per_ip=4
    )
    async with running_app(settings) as (app, client):
        ctx = app.state.ctx
        first = await client.post("/api/query", json={"text": "Where does Jordan work now?"})
        assert first.status_code == 200
        session, token = first.json()["session_id"], first.json()["session_token"]
        local_before = _degraded("redis", "local-rate-limit")

        await kill9(embedded(ctx.storage, "redis"))

        ready = await client.get("/ready")
        assert ready.status_code == 200
        assert ready.json()["status"] == "degraded" and ready.json()["degraded"] == ["redis"]
        follow = await client.post(
            "/api/query",
            json={"text": "What did they build there?", "session_id": session},
            headers=auth(token),
        )
        assert follow.status_code == 200, follow.text
        assert follow.json()["answer"]
        token = follow.json()["session_token"]  # still a signed token: no Redis needed
        # The state saved while Redis is down stays in the process: the next follow-up has it.
        again = await client.post(
            "/api/query", json={"text": "And before that?", "session_id": session}, headers=auth(token)
        )
        assert again.status_code == 200, again.text
        # The in-process window still limits: 4 per window, one of which was used above.
        codes = [(await client.post("/api/query", json={"text": "hi"})).status_code for _ in range(3)]
        assert codes[-1] == 429, codes
        assert _degraded("redis", "local-rate-limit") > local_before
        turns = await history(ctx.storage.pool, uuid.UUID(session))
        assert [t.role for t in turns] == ["user", "assistant"] * 3


async def test_postgres_killed_answers_and_journals_then_replays_once(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(data_dir=tmp_path, supervise_embedded=False)
    async with running_app(settings) as (app, client):
        ctx = app.state.ctx
        before = await client.post("/api/query", json={"text": "Where does Jordan work now?"})
        session, token = before.json()["session_id"], before.json()["session_token"]
        server = embedded(ctx.storage, "postgres")

        await kill9(server)

        ready = await client.get("/ready")
        assert ready.status_code == 200 and ready.json()["degraded"] == ["postgres"]
        questions = ["What did they build there?", "Which languages do they know?"]
        for text in questions:
            answer = await client.post(
                "/api/query", json={"text": text, "session_id": session}, headers=auth(token)
            )
            assert answer.status_code == 200, answer.text
            token = answer.json()["session_token"]
        # A visitor who arrives during the outage gets a session too.
        fresh = await client.post("/api/query", json={"text": "What is their email?"})
        assert fresh.status_code == 200, fresh.text
        journal = ctx.storage.turns.journal
        assert journal.appended == 3 and journal.pending

        await asyncio.to_thread(server.restart)
        async with asyncio.timeout(30):
            await ctx.storage.turns.wait_drained()

        assert journal.replayed == 3
        turns = await history(ctx.storage.pool, uuid.UUID(session))
        texts = [t.text for t in turns if t.role == "user"]
        assert texts == ["Where does Jordan work now?", *questions]  # each once, in order
        assert [t.role for t in turns] == ["user", "assistant"] * 3
        new = await history(ctx.storage.pool, uuid.UUID(fresh.json()["session_id"]))
        assert [t.text for t in new][:1] == ["What is their email?"]
        # A second replay of the same entries (a crash mid-drain) changes nothing.
        assert await ctx.storage.turns.replay() == 0


async def test_hung_servers_cost_a_bounded_wait_then_answers_go_on(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    """SIGSTOP (a hung server: connections open, nothing answers) of both embedded servers."""
    settings = make_settings(
        data_dir=tmp_path, supervise_embedded=False, postgres_timeout_s=1.0, redis_timeout_s=0.5
    )
    async with running_app(settings) as (app, client):
        ctx = app.state.ctx
        first = await client.post("/api/query", json={"text": "Where does Jordan work now?"})
        session, token = first.json()["session_id"], first.json()["session_token"]
        frozen = [p for name in ("postgres", "redis") for p in _tree(embedded(ctx.storage, name).pid())]
        for proc in frozen:
            proc.suspend()
        try:
            texts = ["What did they build there?", "Which languages do they know?"]
            for text in texts:
                answer = await client.post(
                    "/api/query", json={"text": text, "session_id": session}, headers=auth(token)
                )
                assert answer.status_code == 200, answer.text
                token = answer.json()["session_token"]
            assert ctx.storage.turns.journal.appended == 2
        finally:
            for proc in frozen:
                proc.resume()
        async with asyncio.timeout(30):
            await ctx.storage.turns.wait_drained()
        turns = await history(ctx.storage.pool, uuid.UUID(session))
        assert [t.text for t in turns if t.role == "user"] == ["Where does Jordan work now?", *texts]


def _tree(pid: int | None) -> list[psutil.Process]:
    assert pid is not None
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]
