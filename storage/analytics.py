"""What the owner learns from the calls: top questions, intents, what the resume could not answer,
latency percentiles and calls per day, over a time window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.types import Executor

# What the resume could not answer (what the owner may want to add to it): the engine's
# "the resume doesn't say" intent, and technology questions that found no item.
UNANSWERED_INTENTS = ["unknown"]
EMPTY_WHEN_UNANSWERED = ["technology", "tech_check"]
PERCENTILES = (0.5, 0.9, 0.99)

# Questions count as the same when they differ only in case, spacing or end punctuation.
_SAME_QUESTION = "lower(regexp_replace(btrim(a.query, ' ?.!'), '\\s+', ' ', 'g'))"
_WINDOW = (
    " FROM analytics a LEFT JOIN sessions s ON s.id = a.session_id"
    " WHERE (s.owner_id = $1 OR a.session_id IS NULL) AND a.created_at >= $2"
)


@dataclass(frozen=True)
class Analytics:
    questions: int
    calls: int
    cost_usd: float
    top_questions: list[dict[str, Any]]
    intents: list[dict[str, Any]]
    unanswered: list[dict[str, Any]]
    latency: dict[str, dict[str, float | int | None]]
    calls_per_day: list[dict[str, Any]]


def _percentiles(row: Any) -> dict[str, float | int | None]:
    values = row["p"] or [None] * len(PERCENTILES)
    out: dict[str, float | int | None] = {
        f"p{round(q * 100)}": (round(v, 1) if v is not None else None)
        for q, v in zip(PERCENTILES, values, strict=True)
    }
    out["count"] = int(row["n"])
    return out


async def analytics(conn: Executor, owner_id: int, since: datetime, top: int = 10) -> Analytics:
    top_rows = await conn.fetch(
        f"SELECT min(a.query) AS question, count(*) AS count, max(a.created_at) AS last_asked{_WINDOW}"
        f" GROUP BY {_SAME_QUESTION} ORDER BY count(*) DESC, max(a.created_at) DESC LIMIT $3",
        owner_id,
        since,
        top,
    )
    intent_rows = await conn.fetch(
        f"SELECT a.intent, count(*) AS count{_WINDOW} GROUP BY a.intent ORDER BY count(*) DESC, a.intent",
        owner_id,
        since,
    )
    unanswered_rows = await conn.fetch(
        f"SELECT min(a.query) AS question, count(*) AS count, max(a.created_at) AS last_asked{_WINDOW}"
        f" AND NOT a.refused AND (a.intent = ANY($3::text[])"
        f" OR (a.intent = ANY($4::text[]) AND cardinality(a.item_ids) = 0))"
        f" GROUP BY {_SAME_QUESTION} ORDER BY count(*) DESC, max(a.created_at) DESC LIMIT $5",
        owner_id,
        since,
        UNANSWERED_INTENTS,
        EMPTY_WHEN_UNANSWERED,
        top * 5,
    )
    answer = await conn.fetchrow(
        "SELECT count(*) AS n, percentile_cont($3::float8[]) WITHIN GROUP (ORDER BY a.response_ms) AS p"
        + _WINDOW,
        owner_id,
        since,
        list(PERCENTILES),
    )
    # Voice turns are the agent turns timed end of caller speech -> first agent audio.
    voice = await conn.fetchrow(
        "SELECT count(*) AS n, percentile_cont($3::float8[]) WITHIN GROUP (ORDER BY c.latency_ms) AS p"
        " FROM conversations c JOIN sessions s ON s.id = c.session_id"
        " WHERE s.owner_id = $1 AND c.created_at >= $2 AND c.role = 'assistant'"
        " AND c.latency_ms IS NOT NULL AND c.latency ? 'total_ms'",
        owner_id,
        since,
        list(PERCENTILES),
    )
    day_rows = await conn.fetch(
        "SELECT date_trunc('day', started_at AT TIME ZONE 'UTC')::date AS day, channel, count(*) AS calls"
        " FROM sessions WHERE owner_id = $1 AND started_at >= $2 GROUP BY 1, 2 ORDER BY 1, 2",
        owner_id,
        since,
    )
    totals = await conn.fetchrow(
        "SELECT count(*) AS calls, coalesce(sum(cost_usd), 0) AS cost FROM sessions"
        " WHERE owner_id = $1 AND started_at >= $2",
        owner_id,
        since,
    )
    assert answer is not None and voice is not None and totals is not None
    days: dict[str, dict[str, Any]] = {}
    for r in day_rows:
        entry = days.setdefault(
            r["day"].isoformat(), {"day": r["day"].isoformat(), "calls": 0, "by_channel": {}}
        )
        entry["calls"] += int(r["calls"])
        entry["by_channel"][r["channel"]] = int(r["calls"])
    return Analytics(
        questions=int(answer["n"]),
        calls=int(totals["calls"]),
        cost_usd=round(float(totals["cost"]), 6),
        top_questions=[dict(r) for r in top_rows],
        intents=[dict(r) for r in intent_rows],
        unanswered=[dict(r) for r in unanswered_rows],
        latency={"voice_ms": _percentiles(voice), "answer_ms": _percentiles(answer)},
        calls_per_day=list(days.values()),
    )
