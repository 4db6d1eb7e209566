"""Liveness, readiness, metrics and the error format."""

from __future__ import annotations

import httpx


async def test_health_and_ready(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}
    ready = await client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"postgres": True, "redis": True}}


async def test_metrics_count_requests_by_route(client: httpx.AsyncClient) -> None:
    await client.get("/health")
    text = (await client.get("/metrics")).text
    assert 'resume_agent_http_requests_total{method="GET",route="/health",status="200"}' in text
    assert "resume_agent_http_request_seconds_bucket" in text
    assert "resume_agent_resume_version" in text


async def test_unknown_route_has_json_error_with_request_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/nope")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "not_found"
    assert error["request_id"] == response.headers["x-request-id"]


async def test_caller_request_id_is_echoed_only_when_safe(client: httpx.AsyncClient) -> None:
    ok = await client.get("/nope", headers={"x-request-id": "abc-123"})
    assert ok.json()["error"]["request_id"] == "abc-123"
    evil = await client.get("/nope", headers={"x-request-id": 'x" injected'})
    assert evil.json()["error"]["request_id"] != 'x" injected'


async def test_validation_error_names_the_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/query", json={"text": 42})
    assert response.status_code == 422
    error = response.json()["error"]
    assert "text" in error["message"]
    assert error["request_id"]
