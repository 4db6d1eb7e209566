"""Fuzzing the Twilio/Telnyx media-stream handling with malformed frames (hypothesis).

Each example opens a stream (authenticated in the handshake, or pending with its secret in
`start`), sends a sequence of malformed or odd frames - text that is not JSON, JSON of any
shape, events with wrong-typed fields, bad base64 audio, binary frames - then hangs up. All
the while a real call from another caller is up. Nothing may crash the handler, the other
call must neither be disturbed nor leak into a fuzzed stream, and afterwards no task or peer
is left over.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import time
from typing import Any

import pytest
import websockets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.calls import CALLS
from signaling.background_server import LiveServer
from tests.phone.conftest import PHONE_SECRET
from tests.phone.twilio_client import TwilioPeer
from tests.voice_fixtures import Baseline, calls_of

EXAMPLES = int(os.environ.get("PHONE_FUZZ_EXAMPLES", "30"))

JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
ANY = st.one_of(JSON_VALUE, st.text(max_size=30))
MEDIA = st.fixed_dictionaries(
    {},
    optional={
        "payload": st.one_of(
            st.text(max_size=80), st.binary(max_size=400).map(lambda b: base64.b64encode(b).decode())
        ),
        "track": ANY,
        "chunk": ANY,
        "timestamp": ANY,
    },
)
START = st.fixed_dictionaries(
    {},
    optional={
        "streamSid": ANY,
        "callSid": ANY,
        "call_control_id": ANY,
        "from": ANY,
        "customParameters": st.one_of(
            JSON_VALUE,
            st.fixed_dictionaries({"secret": st.sampled_from([PHONE_SECRET, "guess"]), "from": ANY}),
        ),
        "media_format": st.one_of(
            JSON_VALUE,
            st.fixed_dictionaries(
                {"encoding": st.one_of(st.sampled_from(["PCMU", "PCMA", "L16", "OPUS"]), ANY)}
            ),
        ),
    },
)
EVENT = st.fixed_dictionaries(
    {
        "event": st.one_of(
            st.sampled_from(["connected", "start", "media", "stop", "dtmf", "mark", "clear"]), ANY
        )
    },
    optional={
        "start": st.one_of(START, JSON_VALUE),
        "media": st.one_of(MEDIA, JSON_VALUE),
        "dtmf": st.one_of(st.fixed_dictionaries({"digit": ANY}), JSON_VALUE),
        "streamSid": ANY,
        "stream_id": ANY,
        "sequenceNumber": ANY,
    },
)
FRAME = st.one_of(
    EVENT.map(json.dumps),
    JSON_VALUE.map(json.dumps),
    st.text(max_size=100),
    st.binary(max_size=100),
)


# A start the handler accepts (so the fuzz reaches the call itself), its fields still fuzzed.
GOOD_START = st.builds(
    lambda sid, number, encoding: json.dumps(
        {
            "event": "start",
            "streamSid": sid,
            "stream_id": sid,
            "start": {
                "streamSid": sid,
                "callSid": "CA-fuzz",
                "call_control_id": "v3:fuzz",
                "from": number,
                "customParameters": {"secret": PHONE_SECRET, "from": number},
                "media_format": {"encoding": encoding},
            },
        }
    ),
    st.text(min_size=1, max_size=40),
    ANY,
    st.one_of(st.sampled_from(["PCMU", "PCMA", "L16", "OPUS", ""]), ANY),
)
FRAMES = st.one_of(
    st.lists(FRAME, min_size=1, max_size=8),
    st.tuples(GOOD_START, st.lists(FRAME, max_size=12)).map(lambda t: [t[0], *t[1]]),
)


def _calls_ended() -> float:
    return sum(s.value for m in CALLS.collect() for s in m.samples if s.name.endswith("_total"))


def _stream_url(server: LiveServer, provider: str, in_handshake: bool) -> str:
    query = f"?secret={PHONE_SECRET}" if in_handshake else ""
    return server.url.replace("http://", "ws://") + f"/api/phone/{provider}/stream{query}"


async def _until(predicate: Any, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(what)
        await asyncio.sleep(0.05)


async def _fuzz_one(
    server: LiveServer, provider: str, in_handshake: bool, frames: list[Any], legit: str
) -> None:
    received: list[str | bytes] = []
    try:
        async with websockets.connect(_stream_url(server, provider, in_handshake), open_timeout=10) as ws:
            for frame in frames:
                await ws.send(frame)
            # Whatever the server says back within a moment (bounded: a greeting from the phrase
            # cache starts at once and would otherwise keep this loop listening for its length).
            until = time.monotonic() + 1.0
            try:
                while (left := until - time.monotonic()) > 0:
                    received.append(await asyncio.wait_for(ws.recv(), min(0.3, left)))
            except (TimeoutError, websockets.ConnectionClosed):
                pass
    except websockets.exceptions.InvalidStatus as refused:
        assert refused.response.status_code == 403  # refused at the handshake (pending slots full)
    for message in received:
        text = message.decode("latin-1") if isinstance(message, bytes) else message
        assert legit not in text, "another call's stream leaked into this one"


def test_malformed_frames_crash_nothing_and_leak_nothing(
    phone_service: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    calls = calls_of(phone_service)

    async def start_legit() -> TwilioPeer:
        peer = TwilioPeer(
            _stream_url(phone_service, "twilio", False), {"secret": PHONE_SECRET, "from": "+15550191"}
        )
        await peer.connect()
        await _until(
            lambda: calls.active == 1 and bool(peer.received), 30, "the other caller's call never started"
        )
        return peer

    async def run_all() -> None:
        await _until(lambda: calls.active == 0, 30, "calls from earlier tests still running")
        baseline = Baseline(phone_service)
        legit = await start_legit()
        examples = 0

        @given(
            provider=st.sampled_from(["twilio", "telnyx"]),
            in_handshake=st.booleans(),
            frames=FRAMES,
        )
        @settings(
            max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def example(provider: str, in_handshake: bool, frames: list[Any]) -> None:
            nonlocal examples
            examples += 1
            fut = asyncio.run_coroutine_threadsafe(
                _fuzz_one(phone_service, provider, in_handshake, frames, legit.stream_sid), loop
            )
            fut.result(timeout=60)
            end = asyncio.run_coroutine_threadsafe(
                _until(lambda: calls.active <= 1, 30, "a fuzzed call did not end"), loop
            )
            end.result(timeout=60)

        loop = asyncio.get_running_loop()
        calls_before = _calls_ended()
        await asyncio.to_thread(example)  # hypothesis drives sync code; the sockets live on this loop
        assert examples == EXAMPLES
        print(f"stream fuzz: {examples} examples, {_calls_ended() - calls_before:.0f} of them became calls")
        # The other caller was not disturbed: still connected, its call still up, its own stream only.
        assert not legit.closed.is_set() and calls.active == 1
        assert all(e.get("streamSid") in (None, legit.stream_sid) for e in legit.events)
        await legit.hang_up()
        await baseline.check()

    with caplog.at_level(logging.ERROR):
        asyncio.run(run_all())
    # Errors from the stream's path: our handler and call, uvicorn, Pipecat's transport and serializers.
    watched = ("signaling", "agent", "uvicorn", "pipecat.pipecat.transports", "pipecat.pipecat.serializers")
    crashes = [
        r for r in caplog.records if r.levelno >= logging.ERROR and (r.exc_info or r.name.startswith(watched))
    ]
    assert crashes == [], [r.getMessage() for r in crashes][:5]
