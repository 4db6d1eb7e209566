"""Phone keypad presses (DTMF), from any transport that reports them, handed to the call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from pipecat.frames.frames import Frame, InputDTMFFrame
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

KeyCallback = Callable[[str], Awaitable[None]]


class KeypadProcessor(FrameProcessor):
    """Consumes InputDTMFFrame and reports the digit; every other frame passes through."""

    def __init__(self, on_key: KeyCallback) -> None:
        super().__init__()
        self._on_key = on_key

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if isinstance(frame, InputDTMFFrame):
            await self._on_key(str(frame.button.value))
            return
        await self.push_frame(frame, direction)
