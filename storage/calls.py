"""The owner's view of sessions as calls: list (keyset pages), read, erase, and per-call usage."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.types import Connection, Executor

USAGE_COLUMNS = ("audio_in_s", "audio_out_s", "stt_s", "tts_chars", "llm_tokens_in", "llm_tokens_out")
_COUNTS = {"tts_chars", "llm_tokens_in", "llm_tokens_out"}


@dataclass(frozen=True)
class CallRow:
    id: uuid.UUID
    channel: str
    caller: dict[str, Any]
    started_at: datetime
    ended_at: datetime | None
    end_reason: str | None
    turns: int
    usage: dict[str, float]
    cost_usd: float


_SELECT = (
    "SELECT s.id, s.channel, s.caller, s.started_at, s.ended_at, s.end_reason, s.cost_usd, "
    + ", ".join(f"s.{c}" for c in USAGE_COLUMNS)
    + ", (SELECT count(*) FROM conversations c WHERE c.session_id = s.id) AS turns FROM sessions s"
)


def _row(r: Any) -> CallRow:
    caller = r["caller"]
    return CallRow(
        id=r["id"],
        channel=r["channel"],
        caller=json.loads(caller) if isinstance(caller, str) else dict(caller or {}),
        started_at=r["started_at"],
        ended_at=r["ended_at"],
        end_reason=r["end_reason"],
        turns=int(r["turns"]),
        usage={c: r[c] for c in USAGE_COLUMNS},
        cost_usd=float(r["cost_usd"]),
    )


async def list_calls(
    conn: Executor,
    owner_id: int,
    *,
    limit: int,
    after: tuple[datetime, uuid.UUID] | None = None,
    channel: str | None = None,
    since: datetime | None = None,
) -> list[CallRow]:
    """Newest first; `after` is the (started_at, id) of the last call of the previous page."""
    rows = await conn.fetch(
        _SELECT + " WHERE s.owner_id = $1"
        " AND ($2::timestamptz IS NULL OR (s.started_at, s.id) < ($2, $3::uuid))"
        " AND ($4::text IS NULL OR s.channel = $4)"
        " AND ($5::timestamptz IS NULL OR s.started_at >= $5)"
        " ORDER BY s.started_at DESC, s.id DESC LIMIT $6",
        owner_id,
        after[0] if after else None,
        after[1] if after else None,
        channel,
        since,
        limit,
    )
    return [_row(r) for r in rows]


async def get_call(conn: Executor, owner_id: int, session_id: uuid.UUID) -> CallRow | None:
    row = await conn.fetchrow(_SELECT + " WHERE s.owner_id = $1 AND s.id = $2", owner_id, session_id)
    return _row(row) if row else None


async def answered_items(conn: Executor, session_id: uuid.UUID) -> list[tuple[str, list[str]]]:
    """(question, item ids) of each answered question of the session, in order."""
    rows = await conn.fetch(
        "SELECT query, item_ids FROM analytics WHERE session_id = $1 ORDER BY id", session_id
    )
    return [(r["query"], list(r["item_ids"])) for r in rows]


async def delete_call(conn: Connection, owner_id: int, session_id: uuid.UUID) -> list[str] | None:
    """Erase the session, its turns, its questions and its audio rows; returns the audio keys
    (for the caller to delete from the store), or None if there is no such call."""
    async with conn.transaction():
        keys = await conn.fetch("SELECT key FROM call_audio WHERE session_id = $1", session_id)
        await conn.execute("DELETE FROM analytics WHERE session_id = $1", session_id)
        deleted = await conn.fetchval(
            "DELETE FROM sessions WHERE id = $1 AND owner_id = $2 RETURNING id", session_id, owner_id
        )
        if deleted is None:
            return None
    return [r["key"] for r in keys]


async def add_usage(
    conn: Executor,
    session_id: uuid.UUID,
    usage: dict[str, float],
    cost_usd: float,
    end_reason: str | None = None,
) -> str | None:
    """Add measured usage and its cost to the session (an end reason is kept once set);
    returns the session's channel, None if there is no such session."""
    sets = ", ".join(f"{c} = {c} + ${i + 3}" for i, c in enumerate(USAGE_COLUMNS))
    channel: str | None = await conn.fetchval(
        f"UPDATE sessions SET cost_usd = cost_usd + $2, {sets},"
        f" end_reason = COALESCE(end_reason, ${len(USAGE_COLUMNS) + 3}) WHERE id = $1 RETURNING channel",
        session_id,
        cost_usd,
        *(int(usage.get(c, 0)) if c in _COUNTS else float(usage.get(c, 0)) for c in USAGE_COLUMNS),
        end_reason,
    )
    return channel
