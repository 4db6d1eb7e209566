"""Fuzzing POST /api/offer with mutated SDP (hypothesis), against the real service and aiortc.

Starting from a real aiortc offer, each example drops, repeats, rewrites, inserts or cuts lines,
and offers it as a new call, as another session's call without its token, or with a token of
a third session. Every answer must be a clear 4xx or a call for a new session of its own (hung
up at once), never a 5xx, never another session's; afterwards no task or peer connection is left.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signaling.background_server import LiveServer
from tests.voice_fixtures import Baseline, calls_of, real_offer

EXAMPLES = 40
JUNK = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "-1",
            "99999999999999999999999",
            ":::",
            "a=candidate:1 1 udp 1 999.999.999.999 70000 typ host",
            "a=fingerprint:sha-256 ZZ",
            "a=rtpmap:111 opus/0/0",
            "m=audio 0 RTP/AVP",
            "m=video 9 UDP/TLS/RTP/SAVPF 96",
            "a=setup:nonsense",
            "a=ice-ufrag:",
            "c=IN IP6 ::::::",
            "a=group:BUNDLE 7 8 9",
            "a=mid:" + "x" * 300,
        ]
    ),
)


# Positions are taken modulo the offer's length: any index names some line (or character).
POSITION = st.integers(0, 10_000)
MUTATION = st.one_of(
    st.tuples(st.just("drop"), POSITION),
    st.tuples(st.just("repeat"), POSITION),
    st.tuples(st.just("rewrite"), POSITION, JUNK),
    st.tuples(st.just("insert"), POSITION, JUNK),
    st.tuples(st.just("cut"), POSITION),
)


def mutate(offer: str, mutations: list[tuple[Any, ...]]) -> str:
    lines = offer.strip().split("\r\n")
    for op, *args in mutations:
        if not lines:
            break
        text = "\r\n".join(lines)
        if op == "cut":
            return text[: args[0] % (len(text) + 1)]
        i = args[0] % len(lines)
        if op == "drop":
            del lines[i]
        elif op == "repeat":
            lines.insert(i, lines[i])
        elif op == "rewrite":
            key, sep, _ = lines[i].partition("=")
            lines[i] = f"{key}{sep}{args[1]}" if sep else args[1]
        else:
            lines.insert(args[0] % (len(lines) + 1), args[1])
    return "\r\n".join(lines) + "\r\n"


def _hang_up(server: LiveServer, pc_id: str) -> None:
    """End the call on the server (the fuzzer has no peer to hang up with) and wait till it is over."""
    calls = calls_of(server)

    async def hang_up() -> None:
        call = calls.call_for_pc(pc_id)
        if call is not None:
            await call.hang_up("fuzz")
            if call.connection is not None:
                await call.connection.disconnect()  # also before its pipeline is up
            task = calls.task_of(call.session_id)
            if task is not None:
                await asyncio.wait({task}, timeout=20)

    asyncio.run_coroutine_threadsafe(hang_up(), calls.loop).result(timeout=30)


def test_mutated_offers_get_clear_answers_and_leak_nothing(voice_service: LiveServer) -> None:
    real = asyncio.run(real_offer())
    baseline = Baseline(voice_service)
    http = httpx.Client(base_url=voice_service.url, timeout=60)
    other = http.post("/api/sessions").json()  # a session someone else holds
    third = http.post("/api/sessions").json()
    known = {other["session_id"], third["session_id"]}
    seen: dict[int, int] = {}

    @given(mutations=st.lists(MUTATION, max_size=6), who=st.sampled_from(["new", "untokened", "wrong-token"]))
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def offer(mutations: list[tuple[Any, ...]], who: str) -> None:
        body: dict[str, Any] = {"sdp": mutate(real, mutations), "type": "offer"}
        headers = {}
        if who != "new":
            body["session_id"] = other["session_id"]
        if who == "wrong-token":
            headers["Authorization"] = f"Bearer {third['session_token']}"
        response = http.post("/api/offer", json=body, headers=headers)
        seen[response.status_code] = seen.get(response.status_code, 0) + 1
        # 503 is the one 5xx allowed: "busy", every line taken (by calls still tearing down).
        assert response.status_code < 500 or response.json()["error"]["message"].startswith("busy"), (
            response.text
        )
        if who == "untokened":
            assert response.status_code in (400, 401), response.text  # the SDP may be refused first
        elif who == "wrong-token":
            assert response.status_code in (400, 403), response.text
        else:
            assert response.status_code in (200, 400, 422, 503), response.text
        if response.status_code == 200:
            answer = response.json()
            assert answer["session_id"] not in known, "an offer was answered with another session's call"
            known.add(answer["session_id"])
            uuid.UUID(answer["session_id"])
            _hang_up(voice_service, answer["pc_id"])
        else:
            assert "error" in response.json()

    try:
        offer()
    finally:
        http.close()
    print(f"offer fuzz: {EXAMPLES} examples, answers by status {dict(sorted(seen.items()))}")
    asyncio.run(baseline.check())
