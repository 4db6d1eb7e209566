"""Conversation turns and per-query analytics (live writes go through storage/turn_store.py)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from storage.types import Executor

Role = Literal["user", "assistant"]


@dataclass(frozen=True)
class Turn:
    id: int
    role: str
    text: str
    created_at: datetime
    latency_ms: float | None
    latency: dict[str, float] | None
    status: str = "completed"  # an agent turn: 'speaking', then 'completed' or 'interrupted'
    heard: str | None = None  # of an interrupted agent turn, what the caller heard


async def add_turn(
    conn: Executor,
    session_id: uuid.UUID,
    role: Role,
    text: str,
    latency_ms: float | None = None,
    latency: dict[str, float] | None = None,
) -> int:
    turn_id = await conn.fetchval(
        "INSERT INTO conversations (session_id, role, text, latency_ms, latency)"
        " VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING id",
        session_id,
        role,
        text,
        latency_ms,
        json.dumps(latency) if latency is not None else None,
    )
    return int(turn_id)


async def history(conn: Executor, session_id: uuid.UUID) -> list[Turn]:
    rows = await conn.fetch(
        "SELECT id, role, text, created_at, latency_ms, latency, status, heard FROM conversations"
        " WHERE session_id = $1 ORDER BY id",
        session_id,
    )
    turns = []
    for r in rows:
        data: dict[str, Any] = dict(r)
        if isinstance(data["latency"], str):
            data["latency"] = json.loads(data["latency"])
        turns.append(Turn(**data))
    return turns


async def record_query(
    conn: Executor,
    session_id: uuid.UUID | None,
    query: str,
    intent: str,
    item_ids: list[str],
    refused: bool,
    source: str,
    response_ms: float,
) -> None:
    await conn.execute(
        "INSERT INTO analytics (session_id, query, intent, item_ids, refused, source, response_ms)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)",
        session_id,
        query,
        intent,
        item_ids,
        refused,
        source,
        response_ms,
    )
