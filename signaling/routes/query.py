"""The text endpoint: one question in, one grounded answer out, stored with the session."""

from __future__ import annotations

import logging
import time
import uuid

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, StrictStr, field_validator

from pipeline.answer.answerer import Conversation
from pipeline.pricing import Usage, prices_for
from pipeline.tracing import span
from pipeline.usage import COST, count_tokens
from signaling.context import AppContext
from signaling.deps import Ctx, RateLimitedIp, bearer, client_ip, session_from_token
from signaling.errors import ApiError
from signaling.security import session_tokens
from storage.calls import add_usage
from storage.faults import DEGRADED, UNAVAILABLE, breaker
from storage.session_state import load_state, save_state
from storage.sessions import get_session

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api", tags=["query"])

MAX_QUERY_CHARS = 1000


# What `_clean` accepts, for the OpenAPI schema: a visible character, no control characters
# but tab and line breaks. (`_clean` enforces it, with messages clearer than a regex's.)
_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*[^\s\x00-\x1f][^\x00-\x08\x0b\x0c\x0e-\x1f]*$"


class QueryIn(BaseModel):
    text: StrictStr = Field(
        description="The question, 1 to 1,000 characters.",
        json_schema_extra={"minLength": 1, "maxLength": MAX_QUERY_CHARS, "pattern": _TEXT},
    )
    session_id: uuid.UUID | None = None

    @field_validator("text")
    @classmethod
    def _clean(cls, value: str) -> str:
        if len(value) > MAX_QUERY_CHARS:
            raise ValueError(f"text must be at most {MAX_QUERY_CHARS} characters (got {len(value)})")
        value = value.strip()
        if not value:
            raise ValueError("text must not be empty")
        if any(ord(c) < 32 and c not in "\t\n\r" for c in value):
            raise ValueError("text must not contain control characters")
        return value


class ItemOut(BaseModel):
    id: str
    kind: str
    title: str


class QueryOut(BaseModel):
    session_id: uuid.UUID
    session_token: str
    answer: str
    intent: str
    refused: bool
    items: list[ItemOut]
    latency_ms: float


async def _check_session(ctx: AppContext, session_id: uuid.UUID) -> None:
    """404 unless the session is this owner's. With Postgres down (or the session still in the
    journal, created during an outage) the signed token, already verified, is the proof."""
    down = breaker(ctx.storage.pool)
    if not down.open:
        try:
            row = await get_session(ctx.storage.pool, session_id)
        except UNAVAILABLE:
            down.trip()
        else:
            if row is None and ctx.storage.turns.pending:
                return
            if row is None or row.owner_id != ctx.owner_id:
                raise ApiError(404, "no such session")
            return
    DEGRADED.labels("postgres", "session-from-token").inc()


@router.post("/query", dependencies=[RateLimitedIp])
async def query(body: QueryIn, request: Request, ctx: Ctx) -> QueryOut:
    start = time.perf_counter()
    new_session = body.session_id is None
    if body.session_id is None:
        session_id = uuid.uuid4()  # the row is written with the first exchange, below
        conversation = Conversation()
    else:
        session_from_token(ctx, bearer(request), body.session_id)
        await _check_session(ctx, body.session_id)
        # A call that ended leaves its conversation open to typed follow-ups (while its token
        # lives): the visitor who hung up can still ask, with the same memory.
        session_id = body.session_id
        conversation = Conversation.from_json(await load_state(ctx.storage.redis, str(session_id)))

    with span("query", **{"session.id": str(session_id), "channel": "text"}) as current:
        answer = await ctx.answerer.answer(body.text, conversation)
        if current is not None:
            current.set_attribute("answer.source", answer.source)
            current.set_attribute("answer.intent", answer.result.intent)
    result = answer.result
    # Committed or fsynced before the answer goes out: an answered question is never lost.
    await ctx.storage.turns.exchange(
        session_id,
        body.text,
        result.answer,
        result.intent,
        [i.id for i in result.items],
        result.refused,
        answer.source,
        answer.latency_ms,
        new_session_owner=ctx.owner_id if new_session else None,
        caller={"ip": client_ip(request)} if new_session else None,
    )
    if answer.tokens.input or answer.tokens.output:  # only the LLM path uses anything billable
        usage = Usage()
        count_tokens(usage, answer.tokens)
        cost = prices_for(ctx.settings).cost(usage)
        COST.labels("text").inc(cost)
        try:
            await add_usage(ctx.storage.pool, session_id, usage.as_dict(), cost)
        except UNAVAILABLE:  # the answer matters more than the meter; the counter above has it
            DEGRADED.labels("postgres", "usage-not-stored").inc()
            log.warning("usage of session %s not stored: postgres unavailable", session_id)
    await save_state(
        ctx.storage.redis, str(session_id), answer.conversation.to_json(), ctx.settings.session_state_ttl_s
    )
    # A fresh token on every turn, so an active conversation never times out mid-way.
    token = session_tokens.issue(ctx.secret, session_id, ctx.settings.session_token_ttl_s)
    return QueryOut(
        session_id=session_id,
        session_token=token,
        answer=result.answer,
        intent=result.intent,
        refused=result.refused,
        items=[ItemOut(id=i.id, kind=i.kind, title=i.title) for i in result.items],
        latency_ms=round((time.perf_counter() - start) * 1000, 2),
    )
