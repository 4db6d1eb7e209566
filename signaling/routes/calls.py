"""The owner's calls: list them (keyset pages, filters), read one with its audio, erase one.

GET    /api/calls?limit&cursor&channel&since -> {"calls": [...], "next_cursor"}
GET    /api/calls/{id}                        -> the call with its turns, items and audio links
DELETE /api/calls/{id}                        -> 204; the call, its turns, questions and audio are gone
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from signaling.context import AppContext
from signaling.deps import Ctx, OwnerKey
from signaling.errors import ApiError
from signaling.privacy import caller_label
from signaling.query_params import IsoDateTime
from signaling.security.audio_links import audio_url
from storage.calls import CallRow, answered_items, delete_call, get_call, list_calls
from storage.conversations import Turn, history
from storage.recordings import link_recordings, recordings
from storage.session_state import drop_state
from tools.resume_model import item_title

router = APIRouter(prefix="/api/calls", tags=["calls"])

ChannelName = Literal["web", "phone", "text", "livekit", "sip"]


class UsageOut(BaseModel):
    audio_in_s: float
    audio_out_s: float
    stt_s: float
    tts_chars: int
    llm_tokens_in: int
    llm_tokens_out: int


class CallOut(BaseModel):
    session_id: uuid.UUID
    channel: str
    caller: str | None
    started_at: datetime
    ended_at: datetime | None
    end_reason: str | None
    turns: int
    usage: UsageOut
    cost_usd: float


class CallsPage(BaseModel):
    calls: list[CallOut]
    next_cursor: str | None


class ItemOut(BaseModel):
    id: str
    kind: str | None
    title: str | None


class TurnOut(BaseModel):
    role: str
    text: str
    created_at: datetime
    latency_ms: float | None
    latency: dict[str, float] | None
    items: list[ItemOut]
    audio_url: str | None
    audio_s: float | None


class CallDetail(CallOut):
    recorded: bool
    transcript: list[TurnOut]


def _call_out(ctx: AppContext, row: CallRow) -> CallOut:
    return CallOut(
        session_id=row.id,
        channel=row.channel,
        caller=caller_label(row.caller, ctx.settings.caller_masking),
        started_at=row.started_at,
        ended_at=row.ended_at,
        end_reason=row.end_reason,
        turns=row.turns,
        usage=UsageOut(**row.usage),  # type: ignore[arg-type]
        cost_usd=round(row.cost_usd, 6),
    )


def _encode_cursor(row: CallRow) -> str:
    raw = json.dumps([row.started_at.isoformat(), str(row.id)]).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        started, session = json.loads(raw)
        return datetime.fromisoformat(started), uuid.UUID(session)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise ApiError(400, "invalid cursor: pass the next_cursor of the previous page") from exc


@router.get("")
async def calls(
    ctx: Ctx,
    _key: OwnerKey,
    limit: int = Query(50, ge=1, le=200),
    cursor: str | None = Query(None, max_length=200),
    channel: ChannelName | None = None,
    since: IsoDateTime | None = None,
) -> CallsPage:
    after = _decode_cursor(cursor) if cursor else None
    rows = await list_calls(
        ctx.storage.pool, ctx.owner_id, limit=limit + 1, after=after, channel=channel, since=since
    )
    page = rows[:limit]
    more = len(rows) > limit
    return CallsPage(
        calls=[_call_out(ctx, r) for r in page], next_cursor=_encode_cursor(page[-1]) if more else None
    )


_WORDS = re.compile(r"\W+")


def _same(a: str, b: str) -> bool:
    return _WORDS.sub(" ", a.lower()).strip() == _WORDS.sub(" ", b.lower()).strip()


def _items_by_turn(turns: list[Turn], answered: list[tuple[str, list[str]]]) -> dict[int, list[str]]:
    """The resume items of each answer: the question's analytics row, given to the agent turn after it."""
    out: dict[int, list[str]] = {}
    pending: list[str] | None = None
    queue = list(answered)
    for turn in turns:
        if turn.role == "user":
            pending = None
            for i, (question, ids) in enumerate(queue):
                if _same(question, turn.text):
                    pending = ids
                    del queue[: i + 1]
                    break
        elif pending is not None:
            out[turn.id] = pending
            pending = None
    return out


@router.get("/{session_id}")
async def call(session_id: uuid.UUID, ctx: Ctx, _key: OwnerKey) -> CallDetail:
    pool = ctx.storage.pool
    row = await get_call(pool, ctx.owner_id, session_id)
    if row is None:
        raise ApiError(404, "no such call")
    turns = await history(pool, session_id)
    audio = await recordings(pool, session_id)
    linked = link_recordings(turns, audio)
    items = _items_by_turn(turns, await answered_items(pool, session_id))
    titles = {item.id: (kind, item_title(item)) for kind, item in ctx.resume.cached_engine.resume.items()}
    ttl = ctx.settings.audio_url_ttl_s
    transcript = []
    for t in turns:
        rec = linked.get(t.id)
        transcript.append(
            TurnOut(
                role=t.role,
                text=t.text,
                created_at=t.created_at,
                latency_ms=t.latency_ms,
                latency=t.latency,
                items=[_item(i, titles) for i in items.get(t.id, [])],
                audio_url=audio_url(ctx.audio, ctx.secret, rec.key, ttl) if rec else None,
                audio_s=rec.duration_s if rec else None,
            )
        )
    return CallDetail(**_call_out(ctx, row).model_dump(), recorded=bool(audio), transcript=transcript)


def _item(item_id: str, titles: Mapping[str, tuple[str, str]]) -> ItemOut:
    kind, title = titles.get(item_id, (None, None))  # an item the resume no longer has: id only
    return ItemOut(id=item_id, kind=kind, title=title)


@router.delete("/{session_id}", status_code=204)
async def erase(session_id: uuid.UUID, ctx: Ctx, _key: OwnerKey) -> Response:
    if ctx.calls.has_call(session_id):
        raise ApiError(409, "this call is in progress; it can be deleted once it has ended")
    async with ctx.storage.pool.acquire() as conn:
        keys = await delete_call(conn, ctx.owner_id, session_id)
    if keys is None:
        raise ApiError(404, "no such call")
    # Also whatever the store holds under the call's prefixes (a write that was in flight).
    for prefix in ("transcriptions", "responses"):
        keys += await ctx.audio.keys(f"{prefix}/{session_id}")
    await ctx.audio.delete(sorted(set(keys)))
    await drop_state(ctx.storage.redis, str(session_id))
    return Response(status_code=204)
