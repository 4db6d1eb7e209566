"""A local write-ahead journal: one JSON line per write Postgres could not take, fsynced.

Appends hold an exclusive file lock, so processes sharing DATA_DIR can share one journal.
`drain` hands the entries, oldest first, to a callback and empties the file once every one
went through; a drain cut short (Postgres gone again, the process killed) leaves the file
whole, and the next drain applies the entries again: the callback must be idempotent (every
entry carries the unique id of its row).

A line cut short by a crash mid-append was never fsynced, so nobody was told it was kept:
it is skipped.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from prometheus_client import Counter

log = logging.getLogger(__name__)

JOURNAL = Counter(
    "resume_agent_journal_entries_total", "Writes through the local journal, by event", ["event"]
)

Entry = dict[str, Any]


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = asyncio.Lock()
        self.appended = 0  # by this process, for tests and the report
        self.replayed = 0

    @property
    def pending(self) -> bool:
        try:
            return self.path.stat().st_size > 0
        except FileNotFoundError:
            return False

    async def append(self, entry: Entry) -> None:
        line = (json.dumps(entry, separators=(",", ":")) + "\n").encode()
        async with self._lock:
            await asyncio.to_thread(self._append, line)
        self.appended += 1
        JOURNAL.labels("appended").inc()

    def _append(self, line: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a+b") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                end = fh.seek(0, os.SEEK_END)
                if end:
                    fh.seek(end - 1)
                    if fh.read(1) != b"\n":  # a line cut short by a crash: keep ours apart from it
                        line = b"\n" + line
                fh.write(line)
                fh.flush()
                os.fsync(fh.fileno())
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    async def drain(self, apply: Callable[[Entry], Awaitable[None]]) -> int:
        """Apply every entry in order, then drop the applied ones from the file.

        The file is only locked to read it and to cut the applied entries off, not while they
        are applied: an append (an answer waiting to go out) never waits on a slow Postgres.
        """
        if not self.pending:
            return 0
        async with self._lock:
            data = await asyncio.to_thread(self._read_locked)
        entries = _parse(data[: data.rfind(b"\n") + 1])
        for entry in entries:
            await apply(entry)
        async with self._lock:
            await asyncio.to_thread(self._drop_prefix, data.rfind(b"\n") + 1)
        self.replayed += len(entries)
        JOURNAL.labels("replayed").inc(len(entries))
        log.warning("replayed %d journaled writes into postgres", len(entries))
        return len(entries)

    def _read_locked(self) -> bytes:
        with open(self.path, "rb") as fh:
            fcntl.flock(fh, fcntl.LOCK_SH)
            try:
                return fh.read()
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _drop_prefix(self, length: int) -> None:
        """Remove the first `length` bytes (entries applied); what was appended since stays."""
        with open(self.path, "r+b") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                fh.seek(length)
                rest = fh.read()
                fh.seek(0)
                fh.write(rest)
                fh.truncate()
                fh.flush()
                os.fsync(fh.fileno())
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


def _parse(data: bytes) -> list[Entry]:
    entries = []
    lines = data.split(b"\n")
    for number, raw in enumerate(lines[:-1]):  # the last piece has no newline: cut short, or empty
        try:
            entries.append(json.loads(raw))
        except ValueError:
            log.error("journal line %d is unreadable; skipped", number + 1)
    if lines[-1].strip():
        log.warning("journal ends in a line cut short (never acknowledged); skipped")
    return entries
