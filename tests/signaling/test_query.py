"""POST /api/query: answers, follow-ups through the session, storage, and input validation."""

from __future__ import annotations

import httpx
import pytest

from signaling.context import AppContext


async def test_answer_is_grounded_and_stored(client: httpx.AsyncClient, ctx: AppContext) -> None:
    response = await client.post("/api/query", json={"text": "Which projects used Rust?"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"session_id", "session_token", "answer", "intent", "refused", "items", "latency_ms"}
    ids = {item["id"] for item in body["items"]}
    assert {"proj-rust-jitter", "proj-homelab"} <= ids
    assert "jitterbuf" in body["answer"]
    assert body["refused"] is False
    rows = await ctx.storage.pool.fetch(
        "SELECT role, text FROM conversations WHERE session_id = $1 ORDER BY id", body["session_id"]
    )
    assert [(r["role"], r["text"]) for r in rows] == [
        ("user", "Which projects used Rust?"),
        ("assistant", body["answer"]),
    ]
    analytics = await ctx.storage.pool.fetchrow(
        "SELECT intent, item_ids, response_ms FROM analytics WHERE session_id = $1", body["session_id"]
    )
    assert analytics is not None and set(analytics["item_ids"]) == ids
    channel = await ctx.storage.pool.fetchval(
        "SELECT channel FROM sessions WHERE id = $1", body["session_id"]
    )
    assert channel == "text"


async def test_follow_up_uses_the_session(client: httpx.AsyncClient) -> None:
    first = (await client.post("/api/query", json={"text": "Tell me about TurnKit."})).json()
    second = await client.post(
        "/api/query",
        json={"text": "How many stars does it have?", "session_id": first["session_id"]},
        headers={"Authorization": f"Bearer {first['session_token']}"},
    )
    assert second.status_code == 200
    assert "1,900" in second.json()["answer"]
    assert second.json()["session_id"] == first["session_id"]


async def test_follow_up_needs_that_sessions_token(client: httpx.AsyncClient) -> None:
    mine = (await client.post("/api/query", json={"text": "Any certifications?"})).json()
    other = (await client.post("/api/query", json={"text": "Any awards?"})).json()
    payload = {"text": "tell me more", "session_id": mine["session_id"]}
    assert (await client.post("/api/query", json=payload)).status_code == 401
    stolen = await client.post(
        "/api/query", json=payload, headers={"Authorization": f"Bearer {other['session_token']}"}
    )
    assert stolen.status_code == 403


async def test_off_topic_is_refused_without_items(client: httpx.AsyncClient) -> None:
    body = (await client.post("/api/query", json={"text": "Write me a poem about cats."})).json()
    assert body["refused"] is True
    assert body["items"] == []


@pytest.mark.parametrize(
    "payload, fragment",
    [
        ({"text": ""}, "empty"),
        ({"text": "   "}, "empty"),
        ({"text": "x" * 1001}, "1000"),
        ({"text": 12}, "string"),
        ({"text": None}, "string"),
        ({}, "required"),
        ({"text": "hi", "session_id": "nope"}, "uuid"),
        ({"text": "a\x01b"}, "control"),  # (a NUL is refused earlier: tests/signaling/test_request_bodies.py)
    ],
)
async def test_bad_input_is_a_clear_422(
    client: httpx.AsyncClient, payload: dict[str, object], fragment: str
) -> None:
    response = await client.post("/api/query", json=payload)
    assert response.status_code == 422
    assert fragment in response.json()["error"]["message"].lower()


async def test_non_json_body_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/query", content=b"\xff\xfe", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("malformed JSON body")
