"""Conversation turns and per-query analytics."""

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


async def replace_last_user_turn(conn: Executor, session_id: uuid.UUID, text: str) -> None:
    """A question the caller finished after a pause: its fragment's row becomes the whole."""
    await conn.execute(
        "UPDATE conversations SET text = $2 WHERE id = (SELECT max(id) FROM conversations"
        " WHERE session_id = $1 AND role = 'user')",
        session_id,
        text,
    )


async def history(conn: Executor, session_id: uuid.UUID) -> list[Turn]:
    rows = await conn.fetch(
        "SELECT id, role, text, created_at, latency_ms, latency FROM conversations"
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


async def record_exchange(
    conn: Executor,
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
) -> None:
    """Both turns, the analytics row and the session's last_active in one round trip.

    With `new_session_owner`, the text session itself is created in the same statement
    (foreign keys are checked at its end), saving a round trip on a recruiter's first question;
    `caller` is stored with it.
    """
    await conn.execute(
        """
        WITH n AS (
            INSERT INTO sessions (id, owner_id, channel, caller)
            SELECT $1, $9, 'text', $10::jsonb WHERE $9::bigint IS NOT NULL
        ), t AS (
            -- One INSERT with rows in order, so ids (and history order) follow the dialogue.
            INSERT INTO conversations (session_id, role, text, latency_ms, latency)
            VALUES ($1, 'user', $2, NULL, NULL),
                   ($1, 'assistant', $3, $8, jsonb_build_object('answer_ms', $8::float8))
        ), s AS (
            UPDATE sessions SET last_active = now() WHERE id = $1
        )
        INSERT INTO analytics (session_id, query, intent, item_ids, refused, source, response_ms)
        VALUES ($1, $2, $4, $5, $6, $7, $8)
        """,
        session_id,
        question,
        answer,
        intent,
        item_ids,
        refused,
        source,
        response_ms,
        new_session_owner,
        json.dumps(caller or {}),
    )
