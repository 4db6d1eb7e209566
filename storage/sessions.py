"""Session rows: one per visitor conversation, whatever the channel."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import asyncpg

from storage.types import Executor

Channel = Literal["web", "phone", "text", "livekit", "sip"]


@dataclass(frozen=True)
class SessionRow:
    id: uuid.UUID
    owner_id: int
    channel: str
    started_at: datetime
    last_active: datetime
    ended_at: datetime | None
    caller: dict[str, Any]
    end_reason: str | None = None
    worker: str | None = None  # the process running its call (storage/heartbeats.py)


_COLUMNS = "id, owner_id, channel, started_at, last_active, ended_at, caller, end_reason, worker"


def _row(row: asyncpg.Record) -> SessionRow:
    data = dict(row)
    data["caller"] = json.loads(data["caller"]) if isinstance(data["caller"], str) else data["caller"]
    return SessionRow(**data)


async def create_session(
    conn: Executor,
    owner_id: int,
    channel: Channel,
    caller: dict[str, Any] | None = None,
) -> SessionRow:
    row = await conn.fetchrow(
        f"INSERT INTO sessions (id, owner_id, channel, caller) VALUES ($1, $2, $3, $4::jsonb)"
        f" RETURNING {_COLUMNS}",
        uuid.uuid4(),
        owner_id,
        channel,
        json.dumps(caller or {}),
    )
    assert row is not None
    return _row(row)


async def get_session(conn: Executor, session_id: uuid.UUID) -> SessionRow | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM sessions WHERE id = $1", session_id)
    return _row(row) if row else None


async def touch_session(conn: Executor, session_id: uuid.UUID) -> None:
    await conn.execute("UPDATE sessions SET last_active = now() WHERE id = $1", session_id)


async def end_session(conn: Executor, session_id: uuid.UUID) -> None:
    """Mark the session ended; idempotent (the first end time wins)."""
    await conn.execute(
        "UPDATE sessions SET ended_at = COALESCE(ended_at, now()), last_active = now() WHERE id = $1",
        session_id,
    )


async def update_caller(conn: Executor, session_id: uuid.UUID, caller: dict[str, Any]) -> None:
    await conn.execute(
        "UPDATE sessions SET caller = caller || $2::jsonb WHERE id = $1", session_id, json.dumps(caller)
    )


async def run_by(conn: Executor, session_id: uuid.UUID, worker: str) -> None:
    """The session's call now runs in process `worker` (a resumed call is live again)."""
    await conn.execute(
        "UPDATE sessions SET worker = $2, ended_at = NULL, end_reason = NULL WHERE id = $1",
        session_id,
        worker,
    )


async def set_worker(conn: Executor, session_id: uuid.UUID, worker: str) -> None:
    await conn.execute("UPDATE sessions SET worker = $2 WHERE id = $1", session_id, worker)
