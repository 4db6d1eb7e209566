"""Twilio and Telnyx frame serializers that drop malformed frames instead of ending the call.

Pipecat's serializers assume well-formed provider messages: a `"media": null`, a payload that is
not base64 or a JSON array raises inside the transport's receive loop, which then stops, and
the call hangs up (found by tests/phone/test_stream_fuzz.py). These subclasses check a frame's
shape first and drop it when it is not the documented one; well-formed frames go to Pipecat's
own code unchanged.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from pipecat.frames.frames import Frame
from pipecat.serializers.telnyx import TelnyxFrameSerializer
from pipecat.serializers.twilio import TwilioFrameSerializer


def well_formed(data: str | bytes) -> bool:
    """Whether a stream frame has the shape Pipecat's deserializers expect."""
    try:
        message: Any = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return False
    if not isinstance(message, dict):
        return False
    event = message.get("event")
    if event == "media":
        media = message.get("media")
        payload = media.get("payload") if isinstance(media, dict) else None
        if not isinstance(payload, str):
            return False
        try:
            base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            return False
    elif event == "dtmf":
        dtmf = message.get("dtmf")
        return isinstance(dtmf, dict) and isinstance(dtmf.get("digit"), str)
    return True


class GuardedTwilioSerializer(TwilioFrameSerializer):
    async def deserialize(self, data: str | bytes) -> Frame | None:
        return await super().deserialize(data) if well_formed(data) else None


class GuardedTelnyxSerializer(TelnyxFrameSerializer):
    async def deserialize(self, data: str | bytes) -> Frame | None:
        return await super().deserialize(data) if well_formed(data) else None
