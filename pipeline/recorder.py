"""Stores each turn in `conversations` as soon as it ends, and streams it to the caller's page.

Writes go through one queue per call so turns keep their order and a slow database never holds
up audio; `close()` drains what is queued (bounded), so a hang-up loses no turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from pipeline.latency import TurnLatency
from storage.conversations import Role, add_turn, record_query, replace_last_user_turn
from storage.sessions import touch_session

log = logging.getLogger(__name__)

Send = Callable[[dict[str, Any]], Awaitable[None]]


class TurnRecorder:
    def __init__(self, pool: asyncpg.Pool, session_id: uuid.UUID, send: Send) -> None:
        self._pool = pool
        self._session_id = session_id
        self._send = send
        self._queue: asyncio.Queue[tuple[str, tuple[Any, ...]] | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.turns = 0
        self._latency: TurnLatency | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._writer(), name=f"recorder-{self._session_id}")

    async def user_turn(self, text: str) -> None:
        self._enqueue("turn", ("user", text, None, None))
        await self._send({"type": "transcript", "role": "user", "text": text, "final": True})

    async def amend_user_turn(self, text: str) -> None:
        """The last user turn was a fragment of `text` (see pipeline/fragments.py): one turn, not two."""
        self._queue.put_nowait(("amend", (text,)))
        message = {"type": "transcript", "role": "user", "text": text, "final": True, "replaces": True}
        await self._send(message)

    async def latency(self, latency: TurnLatency) -> None:
        """The voice latency of the agent turn now starting to play; stored with that turn."""
        self._latency = latency
        await self._send({"type": "latency", **latency.as_dict()})

    async def agent_turn(
        self, text: str, *, interrupted: bool = False, answer_ms: float | None = None
    ) -> None:
        latency, self._latency = self._latency, None
        stages: dict[str, float] | None = latency.as_dict() if latency else None
        if answer_ms is not None:
            stages = {**(stages or {}), "answer_compute_ms": round(answer_ms, 2)}
        if interrupted:
            stages = {**(stages or {}), "interrupted": 1.0}
        self._enqueue("turn", ("assistant", text, latency.total_ms if latency else None, stages))
        if interrupted:
            await self._send({"type": "interrupted", "text": text})

    def analytics(
        self, query: str, intent: str, item_ids: list[str], refused: bool, source: str, ms: float
    ) -> None:
        self._enqueue("query", (query, intent, item_ids, refused, source, ms))

    def _enqueue(self, kind: str, args: tuple[Any, ...]) -> None:
        self.turns += kind == "turn"
        self._queue.put_nowait((kind, args))

    async def _writer(self) -> None:
        while (item := await self._queue.get()) is not None:
            kind, args = item
            try:
                if kind == "turn":
                    role: Role = args[0]
                    await add_turn(self._pool, self._session_id, role, args[1], args[2], args[3])
                    await touch_session(self._pool, self._session_id)
                elif kind == "amend":
                    await replace_last_user_turn(self._pool, self._session_id, args[0])
                else:
                    await record_query(self._pool, self._session_id, *args)
            except Exception:  # a lost row must not end the call
                log.exception("could not store a %s for session %s", kind, self._session_id)

    async def close(self, timeout_s: float = 5.0) -> None:
        if self._task is None:
            return
        self._queue.put_nowait(None)
        try:
            async with asyncio.timeout(timeout_s):
                await asyncio.shield(self._task)
        except TimeoutError:
            log.warning("recorder for %s did not drain in %.0f s", self._session_id, timeout_s)
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None
