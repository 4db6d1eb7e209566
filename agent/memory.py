"""Give the memory a finished call freed back to the system.

A call's objects are in reference cycles (Pipecat processors link both ways, event handlers
close over their call), so reference counting alone never frees them: they waited for a full
collection, which with ~250k long-lived objects comes about every 25 calls, and held the call's
buffers until then (measured: +220 MB over 15 calls, bench/memory.py). So the service freezes
what start-up made (modules, models, caches: never garbage) out of the collector's sight, and
collects once after each call, which then costs milliseconds, not a 100+ ms pause of the loop.

A call also allocates tens of MB in many small blocks from many threads (Opus and resampler buffers,
frames, ONNX and CTranslate2 scratch). glibc keeps freed blocks in per-thread arenas and rarely
returns them, so the process's RSS ratchets up call after call although nothing is referenced
any more (bench/memory.py). `malloc_trim(0)` after each call returns the free pages of every
arena. Elsewhere than glibc this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import threading
import time
from functools import lru_cache
from typing import Any

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.malloc_trim  # noqa: B018  (only glibc has it)
    except (OSError, AttributeError):
        return None
    return libc


def freeze_startup_objects() -> None:
    """Once the service is up: what exists now lives as long as the process, so full collections
    skip it from here on (`gc.freeze`). Garbage is collected first, never frozen."""
    gc.collect()
    gc.freeze()


def unfreeze() -> None:
    """The service is stopping (tests start many in one process): let the collector see it all."""
    gc.unfreeze()


def after_call(_task: object = None) -> None:
    """A call's task is done (a done-callback, on the loop): free its cycles now, and hand the
    freed pages back off the loop (a hang-up's cleanup never waits on that)."""
    started = time.perf_counter()
    found = gc.collect()
    log.debug("after a call: %d objects collected in %.1f ms", found, (time.perf_counter() - started) * 1000)
    threading.Thread(target=release_freed_memory, name="malloc-trim", daemon=True).start()


def release_freed_memory() -> bool:
    """Blocking (can take a few ms on a large heap): run it off the event loop."""
    libc = _libc()
    if libc is None:
        return False
    return bool(libc.malloc_trim(0))


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
            "keepcost",
        )
    ]  # fmt: skip


def heap_mb() -> dict[str, float] | None:
    """glibc's heap, MB, for benchmarks and tests: `in_use` by malloc (Python's and native, in the
    arenas and in mmaps), `free_kept` (freed, held by the arenas), `arena` (their total size).
    None elsewhere than glibc 2.33+."""
    libc = _libc()
    if libc is None or not hasattr(libc, "mallinfo2"):
        return None
    libc.mallinfo2.restype = _MallInfo2
    m = libc.mallinfo2()
    mb = 1024 * 1024
    return {
        "in_use": round((m.uordblks + m.hblkhd) / mb, 1),
        "free_kept": round(m.fordblks / mb, 1),
        "arena": round(m.arena / mb, 1),
        "mmap": round(m.hblkhd / mb, 1),
    }
