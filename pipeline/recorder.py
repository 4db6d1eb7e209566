"""Stores each turn as it happens, and streams it to the caller's page.

The caller's turn is stored when transcribed; the agent's when its answer goes out to be
spoken (status 'speaking'), then marked completed or interrupted with the part heard. Writes
go through one queue per call so turns keep their order and a slow database never holds up
audio; they land in Postgres or, while it is down, in the local journal (storage/turn_store.py).
`close()` drains what is queued; what a hung Postgres has not taken by then is journaled, so
a hang-up loses no turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from pipeline.latency import TurnLatency
from storage.journal import Entry
from storage.turn_store import TurnStore, amend_entry, finish_entry, query_entry, turn_entry

log = logging.getLogger(__name__)

Send = Callable[[dict[str, Any]], Awaitable[None]]


class TurnRecorder:
    def __init__(self, store: TurnStore, session_id: uuid.UUID, send: Send) -> None:
        self._store = store
        self._session_id = session_id
        self._send = send
        self._queue: asyncio.Queue[Entry | None] = asyncio.Queue()
        self._writing: Entry | None = None
        self._task: asyncio.Task[None] | None = None
        self.turns = 0
        self._latency: TurnLatency | None = None
        self._last_user_uid: str | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._writer(), name=f"recorder-{self._session_id}")

    async def user_turn(self, text: str) -> None:
        self._last_user_uid = self._turn("user", text)
        await self._send({"type": "transcript", "role": "user", "text": text, "final": True})

    async def amend_user_turn(self, text: str) -> None:
        """The last user turn was a fragment of `text` (see pipeline/fragments.py): one turn, not two."""
        if self._last_user_uid is None:
            await self.user_turn(text)
            return
        self._queue.put_nowait(amend_entry(self._last_user_uid, text))
        message = {"type": "transcript", "role": "user", "text": text, "final": True, "replaces": True}
        await self._send(message)

    async def latency(self, latency: TurnLatency) -> None:
        """The voice latency of the agent turn now starting to play; stored with that turn."""
        self._latency = latency
        await self._send({"type": "latency", **latency.as_dict(), "at": latency.at})

    def agent_speaking(self, text: str) -> str:
        """An agent line sent to be spoken, stored now as 'speaking'; its id is for `agent_done`."""
        return self._turn("assistant", text, status="speaking")

    async def agent_done(
        self, uid: str, text: str, *, interrupted: bool, heard: str | None, answer_ms: float | None = None
    ) -> None:
        latency, self._latency = self._latency, None
        status = "interrupted" if interrupted else "completed"
        stages = _stages(latency, answer_ms, interrupted)
        self._queue.put_nowait(
            finish_entry(uid, status, heard, latency.total_ms if latency else None, stages)
        )
        if interrupted:
            await self._send({"type": "interrupted", "text": text})

    async def agent_turn(self, text: str, *, answer_ms: float | None = None) -> None:
        """An agent answer shown, not spoken: stored completed at once."""
        latency, self._latency = self._latency, None
        total = latency.total_ms if latency else None
        self._turn("assistant", text, latency_ms=total, latency=_stages(latency, answer_ms, False))

    def analytics(
        self, query: str, intent: str, item_ids: list[str], refused: bool, source: str, ms: float
    ) -> None:
        self._queue.put_nowait(query_entry(self._session_id, query, intent, item_ids, refused, source, ms))

    def _turn(
        self,
        role: str,
        text: str,
        *,
        status: str = "completed",
        latency_ms: float | None = None,
        latency: dict[str, float] | None = None,
    ) -> str:
        entry = turn_entry(
            self._session_id, role, text, status=status, latency_ms=latency_ms, latency=latency
        )
        self.turns += 1
        self._queue.put_nowait(entry)
        return str(entry["uid"])

    async def _writer(self) -> None:
        while (entry := await self._queue.get()) is not None:
            self._writing = entry
            try:
                await self._store.write(entry)
            except Exception:  # not even the journal took it (disk full?): the call goes on
                log.exception("could not store a %s for session %s", entry["op"], self._session_id)
            self._writing = None

    async def close(self, timeout_s: float = 5.0) -> None:
        if self._task is None:
            return
        self._queue.put_nowait(None)
        try:
            async with asyncio.timeout(timeout_s):
                await asyncio.shield(self._task)
        except TimeoutError:
            log.warning(
                "recorder for %s did not drain in %.0f s; journaling the rest", self._session_id, timeout_s
            )
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            rest = [self._writing] if self._writing is not None else []
            while not self._queue.empty():
                if (entry := self._queue.get_nowait()) is not None:
                    rest.append(entry)
            await self._store.journal_now(rest)
        self._task = None


def _stages(
    latency: TurnLatency | None, answer_ms: float | None, interrupted: bool
) -> dict[str, float] | None:
    stages: dict[str, float] | None = latency.as_dict() if latency else None
    if answer_ms is not None:
        stages = {**(stages or {}), "answer_compute_ms": round(answer_ms, 2)}
    if interrupted:
        stages = {**(stages or {}), "interrupted": 1.0}
    return stages
