"""Recorded voice turns: one `call_audio` row per audio file, linked to its turn by what was said.

The link is made when the call is read, not when it is written: the recorder stores turns and
the audio capture stores audio independently, each as soon as it can, so neither waits for the
other and no write order is assumed. A voice turn's audio carries the turn's text (the caller's
transcript, or what the agent said); the k-th turn with a text takes the k-th audio with it.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from storage.conversations import Role, Turn
from storage.types import Executor


@dataclass(frozen=True)
class Recording:
    id: int
    role: str
    text: str
    key: str
    duration_s: float
    created_at: datetime


async def add_recording(
    conn: Executor, session_id: uuid.UUID, role: Role, text: str, key: str, duration_s: float
) -> None:
    await conn.execute(
        "INSERT INTO call_audio (session_id, role, text, key, duration_s) VALUES ($1, $2, $3, $4, $5)",
        session_id,
        role,
        text,
        key,
        duration_s,
    )


async def recordings(conn: Executor, session_id: uuid.UUID) -> list[Recording]:
    rows = await conn.fetch(
        "SELECT id, role, text, key, duration_s, created_at FROM call_audio"
        " WHERE session_id = $1 ORDER BY id",
        session_id,
    )
    return [Recording(**dict(r)) for r in rows]


async def expire_recordings(conn: Executor, max_age_s: float) -> list[str]:
    """Forget recordings older than `max_age_s` (their files are gone or going); returns their keys."""
    rows = await conn.fetch(
        "DELETE FROM call_audio WHERE created_at < now() - make_interval(secs => $1) RETURNING key", max_age_s
    )
    return [r["key"] for r in rows]


_WORDS = re.compile(r"[^\w']+")


def _norm(text: str) -> str:
    return " ".join(_WORDS.split(text.lower())).strip()


def link_recordings(turns: list[Turn], audio: list[Recording]) -> dict[int, Recording]:
    """Turn id -> its recording, for every voice turn that has one.

    A caller's turn matches audio of the same transcript. An agent's turn matches audio whose
    text starts it: an interrupted answer was synthesized only in part, and is stored whole.
    Audio is taken in order, each recording once.
    """
    used: set[int] = set()
    linked: dict[int, Recording] = {}
    for turn in turns:
        text = _norm(turn.text)
        if not text:
            continue
        for rec in audio:
            if rec.id in used or rec.role != turn.role:
                continue
            said = _norm(rec.text)
            if said == text or (turn.role == "assistant" and said and text.startswith(said)):
                used.add(rec.id)
                linked[turn.id] = rec
                break
    return linked
