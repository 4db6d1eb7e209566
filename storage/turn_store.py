"""Durable writes of conversation turns: Postgres when it answers, else the local journal.

Each write is an entry with the unique ids of its rows, applied with idempotent SQL, so an
entry replayed from the journal lands exactly once. While the journal holds anything, new
writes join it too (behind the older ones), so a session's turns keep their order when the
journal is replayed. A background task replays the journal as soon as Postgres answers.

A write returns once it is committed or fsynced: an answered question is never lost, even
if the process is killed the moment after.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from storage.faults import DEGRADED, breaker, unavailable
from storage.journal import Entry, Journal

log = logging.getLogger(__name__)

REPLAY_PERIOD_S = 0.5
# A transient error (a pooled connection to a server that restarted) gets two more tries; a
# timeout does not (a hung server would cost the caller the timeout three times over).
ATTEMPTS = 3


def _transient(exc: BaseException) -> bool:
    return unavailable(exc) and not isinstance(exc, TimeoutError)


def _uid() -> str:
    return str(uuid.uuid4())


def _at(entry: Entry) -> datetime:
    return datetime.fromtimestamp(float(entry["at"]), UTC)


def _jsonb(value: Any) -> str | None:
    return json.dumps(value) if value is not None else None


class TurnStore:
    def __init__(self, pool: asyncpg.Pool, journal: Journal) -> None:
        self.pool = pool
        self.journal = journal
        self._drained = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None

    @property
    def pending(self) -> bool:
        """Writes are waiting in the journal for Postgres."""
        return self.journal.pending

    # -- the writes ---------------------------------------------------------------------------

    async def exchange(
        self,
        session_id: uuid.UUID,
        question: str,
        answer: str,
        intent: str,
        item_ids: list[str],
        refused: bool,
        source: str,
        response_ms: float,
        new_session_owner: int | None = None,
        caller: dict[str, Any] | None = None,
    ) -> str:
        """A typed question and its answer (and the text session, on its first question)."""
        return await self.write(
            {
                "op": "exchange",
                "at": time.time(),
                "session": str(session_id),
                "question": question,
                "answer": answer,
                "intent": intent,
                "items": item_ids,
                "refused": refused,
                "source": source,
                "ms": response_ms,
                "owner": new_session_owner,
                "caller": caller or {},
                "uids": [_uid(), _uid(), _uid()],
            }
        )

    async def end(self, session_id: uuid.UUID, reason: str | None = None) -> None:
        await self.write(end_entry(session_id, reason))

    async def journal_now(self, entries: list[Entry]) -> None:
        """Straight to the journal (a call closing while Postgres hangs); idempotent if some landed."""
        for entry in entries:
            DEGRADED.labels("postgres", "journaled").inc()
            await self.journal.append(entry)

    async def write(self, entry: Entry) -> str:
        """'postgres' or 'journal': where the entry went."""
        down = breaker(self.pool)
        if not self.journal.pending and not down.open:
            try:
                async for attempt in AsyncRetrying(
                    stop=stop_after_attempt(ATTEMPTS),
                    wait=wait_exponential_jitter(multiplier=0.05, max=0.25, jitter=0.05),
                    retry=retry_if_exception(_transient),
                    reraise=True,
                ):
                    with attempt:
                        await apply(self.pool, entry)
                return "postgres"
            except Exception as exc:
                if not unavailable(exc):
                    raise
                down.trip()
                log.warning("postgres unavailable (%s): journaling a %s", type(exc).__name__, entry["op"])
        DEGRADED.labels("postgres", "journaled").inc()
        await self.journal.append(entry)
        return "journal"

    # -- replay -------------------------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.create_task(self._replay_loop(), name="journal-replay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def replay(self) -> int:
        """Apply the journal to Postgres now; raises while Postgres is unreachable."""
        count = await self.journal.drain(lambda entry: apply(self.pool, entry))
        async with self._drained:
            self._drained.notify_all()
        return count

    async def wait_drained(self) -> None:
        """Until the journal is empty (for tests and shutdown)."""
        async with self._drained:
            await self._drained.wait_for(lambda: not self.journal.pending)

    async def _replay_loop(self) -> None:
        while True:
            if self.journal.pending:
                try:
                    await self.replay()
                except Exception as exc:
                    if not unavailable(exc):
                        log.exception("journal replay failed")
            await asyncio.sleep(REPLAY_PERIOD_S)


# Entries for voice calls, built when the event happens (its time is the row's created_at).


def turn_entry(
    session_id: uuid.UUID,
    role: str,
    text: str,
    *,
    status: str = "completed",
    latency_ms: float | None = None,
    latency: dict[str, float] | None = None,
) -> Entry:
    """One turn; an agent turn starts as 'speaking' and is settled by a `finish_entry`."""
    return {
        "op": "turn",
        "at": time.time(),
        "session": str(session_id),
        "uid": _uid(),
        "role": role,
        "text": text,
        "status": status,
        "latency_ms": latency_ms,
        "latency": latency,
    }


def finish_entry(
    uid: str,
    status: str,
    heard: str | None,
    latency_ms: float | None = None,
    latency: dict[str, float] | None = None,
) -> Entry:
    return {
        "op": "finish",
        "at": time.time(),
        "uid": uid,
        "status": status,
        "heard": heard,
        "latency_ms": latency_ms,
        "latency": latency,
    }


def amend_entry(uid: str, text: str) -> Entry:
    """A stored user turn was a fragment: its row becomes the whole question."""
    return {"op": "amend", "at": time.time(), "uid": uid, "text": text}


def query_entry(
    session_id: uuid.UUID, query: str, intent: str, item_ids: list[str], refused: bool, source: str, ms: float
) -> Entry:
    return {
        "op": "query",
        "at": time.time(),
        "session": str(session_id),
        "uid": _uid(),
        "query": query,
        "intent": intent,
        "items": item_ids,
        "refused": refused,
        "source": source,
        "ms": ms,
    }


def end_entry(session_id: uuid.UUID, reason: str | None) -> Entry:
    return {"op": "end", "at": time.time(), "session": str(session_id), "reason": reason}


async def apply(pool: asyncpg.Pool, entry: Entry) -> None:
    """Write one entry; idempotent, so a replay after a partial one is harmless."""
    op = entry["op"]
    at = _at(entry)
    session = uuid.UUID(entry["session"]) if "session" in entry else None
    if op == "exchange":
        user_uid, agent_uid, query_uid = (uuid.UUID(u) for u in entry["uids"])
        await pool.execute(
            """
            WITH n AS (
                INSERT INTO sessions (id, owner_id, channel, caller, started_at, last_active)
                SELECT $1, $9, 'text', $10::jsonb, $11, $11 WHERE $9::bigint IS NOT NULL
                ON CONFLICT (id) DO NOTHING
            ), t AS (
                -- One INSERT with rows in order, so ids (and history order) follow the dialogue.
                INSERT INTO conversations (session_id, role, text, latency_ms, latency, uid, created_at)
                VALUES ($1, 'user', $2, NULL, NULL, $12, $11),
                       ($1, 'assistant', $3, $8, jsonb_build_object('answer_ms', $8::float8), $13, $11)
                ON CONFLICT (uid) DO NOTHING
            ), s AS (
                UPDATE sessions SET last_active = GREATEST(last_active, $11) WHERE id = $1
            )
            INSERT INTO analytics
                (session_id, query, intent, item_ids, refused, source, response_ms, uid, created_at)
            VALUES ($1, $2, $4, $5, $6, $7, $8, $14, $11)
            ON CONFLICT (uid) DO NOTHING
            """,
            session,
            entry["question"],
            entry["answer"],
            entry["intent"],
            entry["items"],
            entry["refused"],
            entry["source"],
            entry["ms"],
            entry["owner"],
            json.dumps(entry["caller"]),
            at,
            user_uid,
            agent_uid,
            query_uid,
        )
    elif op == "turn":
        await pool.execute(
            """
            WITH t AS (
                INSERT INTO conversations
                    (session_id, role, text, latency_ms, latency, uid, status, created_at)
                VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8)
                ON CONFLICT (uid) DO NOTHING
            )
            UPDATE sessions SET last_active = GREATEST(last_active, $8) WHERE id = $1
            """,
            session,
            entry["role"],
            entry["text"],
            entry["latency_ms"],
            _jsonb(entry["latency"]),
            uuid.UUID(entry["uid"]),
            entry["status"],
            at,
        )
    elif op == "finish":
        await pool.execute(
            "UPDATE conversations SET status = $2, heard = $3,"
            " latency_ms = COALESCE($4, latency_ms), latency = COALESCE($5::jsonb, latency)"
            " WHERE uid = $1",
            uuid.UUID(entry["uid"]),
            entry["status"],
            entry["heard"],
            entry["latency_ms"],
            _jsonb(entry["latency"]),
        )
    elif op == "amend":
        await pool.execute(
            "UPDATE conversations SET text = $2 WHERE uid = $1", uuid.UUID(entry["uid"]), entry["text"]
        )
    elif op == "query":
        await pool.execute(
            "INSERT INTO analytics"
            " (session_id, query, intent, item_ids, refused, source, response_ms, uid, created_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (uid) DO NOTHING",
            session,
            entry["query"],
            entry["intent"],
            entry["items"],
            entry["refused"],
            entry["source"],
            entry["ms"],
            uuid.UUID(entry["uid"]),
            at,
        )
    elif op == "end":
        await pool.execute(
            "UPDATE sessions SET ended_at = COALESCE(ended_at, $2), last_active = GREATEST(last_active, $2),"
            " end_reason = COALESCE(end_reason, $3) WHERE id = $1",
            session,
            at,
            entry["reason"],
        )
    else:
        log.error("unknown journal entry %r; skipped", op)
