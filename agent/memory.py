"""Give the memory a finished call freed back to the system.

A call allocates tens of MB in many small blocks from many threads (Opus and resampler buffers,
frames, ONNX and CTranslate2 scratch). glibc keeps freed blocks in per-thread arenas and rarely
returns them, so the process's RSS ratchets up call after call although nothing is referenced
any more (bench/memory.py). `malloc_trim(0)` after each call returns the free pages of every
arena. Elsewhere than glibc this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
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


def release_freed_memory() -> bool:
    """Blocking (can take a few ms on a large heap): run it off the event loop."""
    libc = _libc()
    if libc is None:
        return False
    return bool(libc.malloc_trim(0))
