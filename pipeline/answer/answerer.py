"""Answer one question: guardrails, then the LLM (when configured) or the engine, with fallback.

Conversation state travels as a JSON blob: the engine's state plus the last few exchanges,
which the LLM sees as history.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Literal

from prometheus_client import Counter, Histogram
from pydantic import ValidationError
from redis.asyncio import Redis

from pipeline.answer.llm import LLMAnswerer, TokenCount
from pipeline.answer.resume_source import ResumeSource
from storage.query_cache import cache_key, get_cached, put_cached
from tools.engine import EngineResult, ItemRef, ResumeEngine
from tools.state import ConversationState

log = logging.getLogger(__name__)

ANSWERS = Counter("resume_agent_answers_total", "Answers by source", ["source"])
LLM_FALLBACKS = Counter(
    "resume_agent_llm_fallbacks_total", "LLM errors or timeouts answered by the engine", ["reason"]
)
ANSWER_SECONDS = Histogram(
    "resume_agent_answer_seconds",
    "Time to produce an answer, by source",
    ["source"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8),
)

RETRIEVAL_FALLBACKS = Counter(
    "resume_agent_retrieval_fallbacks_total", "Full-text searches that failed or timed out", ["reason"]
)

HISTORY_TURNS = 6
RETRIEVAL_TIMEOUT_S = 0.25
Source = Literal["engine", "llm", "llm-cache", "guardrails"]


@dataclass
class Conversation:
    engine: ConversationState = field(default_factory=ConversationState)
    history: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps({"engine": self.engine.model_dump(mode="json"), "history": self.history})

    @classmethod
    def from_json(cls, raw: str | None) -> Conversation:
        if not raw:
            return cls()
        try:
            data = json.loads(raw)
            return cls(
                engine=ConversationState.model_validate(data.get("engine") or {}),
                history=[(str(q), str(a)) for q, a in data.get("history", [])],
            )
        except (ValueError, TypeError, ValidationError):
            # A state written by an older version is not worth failing a call over.
            log.warning("discarding unreadable conversation state")
            return cls()


@dataclass(frozen=True)
class Answer:
    result: EngineResult
    conversation: Conversation
    source: Source
    latency_ms: float
    tokens: TokenCount = field(default_factory=TokenCount)  # LLM usage, counted even on fallback


class Answerer:
    def __init__(
        self,
        source: ResumeSource,
        llm: LLMAnswerer | None = None,
        llm_timeout_s: float = 4.0,
        cache: Redis | None = None,
        cache_ttl_s: int = 300,
    ) -> None:
        self.source = source
        self.llm = llm
        self.llm_timeout_s = llm_timeout_s
        self.cache = cache
        self.cache_ttl_s = cache_ttl_s

    async def answer(self, text: str, conversation: Conversation) -> Answer:
        start = time.perf_counter()
        engine = await self.source.engine()
        retrieved = await self._retrieve(engine, text)
        # The engine always runs: it is the guardrail, the fallback and the follow-up memory.
        result, engine_state = engine.answer(text, conversation.engine, retrieved=retrieved)
        source: Source = "guardrails" if result.refused else "engine"
        tokens = TokenCount()
        if self.llm is not None and not result.refused:
            # Only context-free questions are cached: a follow-up's answer depends on history.
            cache = self.cache if not conversation.history else None
            key = cache_key(self.source.owner_id, self.source.version, "llm", text)
            cached = await get_cached(cache, key) if cache is not None else None
            if cached is not None:
                result, source = _decode(cached), "llm-cache"
            else:
                result, source = await self._ask_llm(engine, text, conversation, result, source, tokens)
                if source == "llm" and cache is not None:
                    await put_cached(cache, key, _encode(result), self.cache_ttl_s)
        history = [*conversation.history, (text, result.answer)][-HISTORY_TURNS:]
        elapsed = time.perf_counter() - start
        ANSWERS.labels(source).inc()
        ANSWER_SECONDS.labels(source).observe(elapsed)
        return Answer(result, Conversation(engine_state, history), source, elapsed * 1000, tokens)

    async def _retrieve(self, engine: ResumeEngine, text: str) -> list[tuple[str, float]] | None:
        """Postgres full-text hits for the turn, or None (the engine then ranks in memory alone)."""
        terms = engine.search_terms(text)
        if not terms:
            return None
        try:
            async with asyncio.timeout(RETRIEVAL_TIMEOUT_S):
                return await self.source.search(terms)
        except Exception as exc:  # a slow or failed search must not cost the answer
            RETRIEVAL_FALLBACKS.labels(type(exc).__name__).inc()
            log.warning("full-text search failed (%s); ranking in memory", type(exc).__name__)
            return None

    async def _ask_llm(
        self,
        engine: ResumeEngine,
        text: str,
        conversation: Conversation,
        fallback: EngineResult,
        source: Source,
        tokens: TokenCount,
    ) -> tuple[EngineResult, Source]:
        assert self.llm is not None
        try:
            async with asyncio.timeout(self.llm_timeout_s):
                return await self.llm.answer(engine, text, conversation.history, tokens), "llm"
        except TimeoutError:
            LLM_FALLBACKS.labels("timeout").inc()
            log.warning("llm timed out; answering from the engine")
        except Exception as exc:  # any LLM failure must still give the caller an answer
            LLM_FALLBACKS.labels(type(exc).__name__).inc()
            log.warning("llm failed (%s); answering from the engine", type(exc).__name__)
        return fallback, source


def _encode(result: EngineResult) -> str:
    return json.dumps(
        {
            "answer": result.answer,
            "intent": result.intent,
            "items": [[i.id, i.kind, i.title] for i in result.items],
        }
    )


def _decode(raw: str) -> EngineResult:
    data = json.loads(raw)
    items = [ItemRef(id=i, kind=k, title=t) for i, k, t in data["items"]]
    return EngineResult(answer=data["answer"], intent=data["intent"], refused=False, items=items)
