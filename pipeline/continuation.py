"""The moments after a question is answered, when the caller may still be finishing it.

The answerer opens the window when it takes a question; a turn that starts in it and reads as
the rest of that question is merged with it (see `AnswerProcessor`).
"""

from __future__ import annotations

import time


class ContinuationWindow:
    def __init__(self, length_s: float) -> None:
        self.length_s = length_s
        self.opened_at: float | None = None  # monotonic

    def open(self) -> None:
        self.opened_at = time.monotonic()

    def close(self) -> None:
        self.opened_at = None

    def is_open(self, at: float | None = None) -> bool:
        if self.opened_at is None or self.length_s <= 0:
            return False
        since = (time.monotonic() if at is None else at) - self.opened_at
        # (A moment's slack before the opening: the caller's speech may begin while it opens.)
        return -0.2 <= since <= self.length_s
