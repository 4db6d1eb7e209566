"""Resume content: the whole resume (owners.resume) plus one searchable row per item.

A replace runs in one transaction and bumps `owners.resume_version`, which keys the query
cache, so a new resume invalidates every cached answer without touching Redis.
"""

from __future__ import annotations

import json
import re
from datetime import date

from storage.owners import create_owner, get_default_owner
from storage.types import Connection, Executor
from tools.resume_model import Resume, item_title
from tools.vocabulary import Vocabulary, build_vocabulary


def _as_date(value: str | None) -> date | None:
    if not value:
        return None
    year, _, month = value.partition("-")
    return date(int(year), int(month or 1), 1)


def _rows(owner_id: int, resume: Resume) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for kind, item in resume.items():
        data = item.model_dump(mode="json")
        description = " ".join(
            str(data.get(k) or "") for k in ("role", "summary", "description", "degree", "details", "venue")
        ).strip()
        start = data.get("start") or data.get("date")
        end = data.get("end") if "end" in data else data.get("date")
        rows.append(
            (
                item.id,
                owner_id,
                kind,
                item_title(item),
                description,
                list(data.get("technologies") or []),
                _as_date(start),
                _as_date(end),
                json.dumps(data),
                " ".join(str(h) for h in data.get("highlights") or []),
            )
        )
    return rows


async def replace_resume(conn: Connection, owner_id: int, resume: Resume) -> int:
    """Replace the owner's resume atomically; returns the new resume version."""
    async with conn.transaction():
        version = await conn.fetchval(
            "UPDATE owners SET resume = $2::jsonb, resume_version = resume_version + 1,"
            " name = $3, email = COALESCE($4, email), vocabulary = $5::jsonb"
            " WHERE id = $1 RETURNING resume_version",
            owner_id,
            resume.model_dump_json(),
            resume.profile.name,
            resume.profile.email,
            build_vocabulary(resume).to_json(),
        )
        if version is None:
            raise LookupError(f"owner {owner_id} does not exist")
        await conn.execute("DELETE FROM content WHERE owner_id = $1", owner_id)
        await conn.executemany(
            "INSERT INTO content (id, owner_id, kind, title, description, technologies,"
            " start_date, end_date, body, search) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb,"
            " setweight(to_tsvector('english', $4), 'A')"
            " || setweight(to_tsvector('english', $5 || ' ' || array_to_string($6::text[], ' ')), 'B')"
            " || setweight(to_tsvector('english', $10), 'C'))",
            _rows(owner_id, resume),
        )
    return int(version)


async def load_vocabulary(conn: Executor, owner_id: int) -> Vocabulary | None:
    """The vocabulary stored with the owner's current resume version (None before any import)."""
    raw = await conn.fetchval("SELECT vocabulary FROM owners WHERE id = $1", owner_id)
    return Vocabulary.from_json(raw) if raw else None


def tsquery_terms(words: list[str]) -> str:
    """An OR tsquery ("a | b") from plain words: only letters and digits reach Postgres."""
    clean = [w for w in (re.sub(r"[^a-z0-9]", "", w.lower()) for w in words) if w]
    return " | ".join(dict.fromkeys(clean))


async def search_content(
    conn: Executor, owner_id: int, words: list[str], limit: int = 8
) -> list[tuple[str, float]]:
    """Items whose text matches any of `words` (English stemming), best `ts_rank` first."""
    query = tsquery_terms(words)
    if not query:
        return []
    rows = await conn.fetch(
        "SELECT id, ts_rank(search, q) AS rank FROM content, to_tsquery('english', $2) AS q"
        " WHERE owner_id = $1 AND search @@ q ORDER BY rank DESC, id LIMIT $3",
        owner_id,
        query,
        limit,
    )
    return [(str(r["id"]), float(r["rank"])) for r in rows]


async def load_resume(conn: Executor, owner_id: int) -> tuple[Resume, int] | None:
    row = await conn.fetchrow("SELECT resume, resume_version FROM owners WHERE id = $1", owner_id)
    if row is None or row["resume"] is None:
        return None
    return Resume.model_validate_json(row["resume"]), int(row["resume_version"])


async def resume_version(conn: Executor, owner_id: int) -> int:
    return int(await conn.fetchval("SELECT resume_version FROM owners WHERE id = $1", owner_id) or 0)


async def ensure_owner(conn: Connection, default_resume: Resume) -> tuple[int, Resume, int]:
    """The owner with their resume, creating both from `default_resume` on first start."""
    async with conn.transaction():
        # Two processes starting at once must not create two owners.
        await conn.execute("LOCK TABLE owners IN SHARE ROW EXCLUSIVE MODE")
        owner = await get_default_owner(conn)
        if owner is None:
            owner = await create_owner(conn, default_resume.profile.name, default_resume.profile.email)
        loaded = await load_resume(conn, owner.id)
        if loaded is None:
            version = await replace_resume(conn, owner.id, default_resume)
            return owner.id, default_resume, version
        return owner.id, loaded[0], loaded[1]
