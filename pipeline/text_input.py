"""Typed questions on the call's data channel, answered by the same engine and history as voice.

Two forms are accepted:
  * RTVI `send-text` ({"label": "rtvi-ai", "type": "send-text", "data": {"content": ...,
    "options": {"audio_response": false}}}), which Pipecat's RTVI processor handles itself;
  * our plain message {"type": "text", "text": "...", "mute": false}, handled here the same way:
    it interrupts the agent, joins the conversation as a user message, and is answered in text
    on the data channel and, unless muted, by voice.
"""

from __future__ import annotations

from typing import Any

from pipecat.frames.frames import (
    Frame,
    InputTransportMessageFrame,
    LLMConfigureOutputFrame,
    LLMMessagesAppendFrame,
    UserIdleTimeoutUpdateFrame,
)
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor

MAX_TEXT_CHARS = 1000


def parse_text_message(message: Any) -> tuple[str, bool] | None:
    """(text, mute) for a well-formed {"type": "text"} message, else None.

    LiveKit's chat components send {"id", "timestamp", "message"} (the lk-chat data format);
    those are typed questions too, answered in text and by voice.
    """
    if isinstance(message, dict) and "type" not in message and isinstance(message.get("message"), str):
        message = {"type": "text", "text": message["message"]}
    if not isinstance(message, dict) or message.get("type") != "text":
        return None
    text = message.get("text")
    if not isinstance(text, str) or not text.strip():
        return None
    return " ".join(text.split())[:MAX_TEXT_CHARS], bool(message.get("mute", False))


class TextInputProcessor(FrameProcessor):
    def __init__(self, idle_timeout_s: float) -> None:
        super().__init__()
        self._idle_timeout_s = idle_timeout_s

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        parsed = parse_text_message(frame.message) if isinstance(frame, InputTransportMessageFrame) else None
        if parsed is None:
            await self.push_frame(frame, direction)
            return
        if direction == FrameDirection.UPSTREAM:
            return  # the same message broadcast upstream; handled once, on its way down
        text, mute = parsed
        await self.broadcast_interruption()
        # Typing is activity: restart the idle clock so a text chat is not hung up on.
        await self.push_frame(UserIdleTimeoutUpdateFrame(timeout=self._idle_timeout_s))
        await self.push_frame(LLMConfigureOutputFrame(skip_tts=mute))
        await self.push_frame(
            LLMMessagesAppendFrame(messages=[{"role": "user", "content": text}], run_llm=True)
        )
        await self.push_frame(LLMConfigureOutputFrame(skip_tts=False))
