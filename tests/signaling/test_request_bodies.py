"""Bodies are bounded before parsing (413), must be JSON (415) and well-formed (400); wrong methods 405."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from signaling.request_bodies import JSON_BODY_LIMIT
from signaling.routes.resume import MAX_RESUME_BYTES

JSON = {"content-type": "application/json"}


def json_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) of the API that takes a body, from the OpenAPI schema."""
    routes = []
    for path, operations in app.openapi()["paths"].items():
        for method in operations:
            if method.upper() in ("POST", "PUT", "PATCH"):
                routes.append(
                    (method.upper(), path.replace("{session_id}", "00000000-0000-0000-0000-000000000000"))
                )
    return routes


async def test_every_json_route_refuses_malformed_json_wrong_types_and_oversized_bodies(
    app_and_client: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = app_and_client
    routes = json_routes(app)
    assert ("POST", "/api/sessions") in routes and ("PUT", "/api/resume") in routes  # no fields / raw body
    for method, path in routes:
        unstorable = (b'{"text": "a\\u0000b"}', b'{"text": "\\ud800"}')  # Postgres text cannot hold these
        for body in (b"{bad", b'{"text": NaN}', b"\xff\xfe{}", b"[" * 5000, *unstorable):
            response = await client.request(method, path, content=body, headers=JSON)
            assert response.status_code == 400, (method, path, body[:10], response.text)
            assert response.json()["error"]["message"].startswith("malformed JSON body"), response.text
        for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
            headers = {"content-type": content_type} if content_type else {}
            response = await client.request(method, path, content=b'{"text": "hi"}', headers=headers)
            assert response.status_code == 415, (method, path, content_type, response.text)
            assert "application/json" in response.json()["error"]["message"]
        limit = MAX_RESUME_BYTES if path == "/api/resume" else JSON_BODY_LIMIT
        response = await client.request(method, path, content=b" " * (limit + 1), headers=JSON)
        assert response.status_code == 413, (method, path)
        assert f"larger than {limit} bytes" in response.json()["error"]["message"]
        assert response.json()["error"]["request_id"] == response.headers["x-request-id"]


async def test_a_streamed_body_is_cut_off_at_the_limit_without_reading_it_all(
    app_and_client: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    _, client = app_and_client
    sent = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal sent
        yield b'{"text": "'
        for _ in range(10_000):  # 160 MB if it were all read
            sent += 16_384
            yield b"a" * 16_384

    # No Content-Length: chunked, so the limit is enforced as the body streams in.
    response = await client.post("/api/query", content=endless(), headers=JSON)
    assert response.status_code == 413
    assert sent < 2 * JSON_BODY_LIMIT + 16_384 * 4, sent


async def test_a_declared_length_over_the_limit_is_refused_before_reading(
    app_and_client: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    _, client = app_and_client
    read = False

    async def body() -> AsyncIterator[bytes]:
        nonlocal read
        read = True
        yield b"{}"

    response = await client.post(
        "/api/sessions", content=body(), headers={**JSON, "content-length": str(2_000_000)}
    )
    assert response.status_code == 413 and not read


async def test_the_resume_route_takes_up_to_its_own_larger_limit(
    app_and_client: tuple[FastAPI, httpx.AsyncClient], owner_key: str
) -> None:
    _, client = app_and_client
    padded = json.dumps({"profile": {}}) + " " * (JSON_BODY_LIMIT * 4)  # over the JSON limit, valid JSON
    response = await client.put(
        "/api/resume", content=padded, headers={**JSON, "Authorization": f"Bearer {owner_key}"}
    )
    assert response.status_code == 422  # parsed and validated as a resume, not cut off


async def test_empty_bodies_and_valid_json_still_work(client: httpx.AsyncClient) -> None:
    assert (await client.post("/api/sessions")).status_code == 201
    assert (await client.post("/api/sessions", content=b"{}", headers=JSON)).status_code == 201
    assert (
        await client.post(
            "/api/sessions", content=b"{}", headers={"content-type": "application/json; charset=utf-8"}
        )
    ).status_code == 201
    assert (await client.post("/api/query", json={"text": "Which projects used Rust?"})).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/api/query", "POST"),
        ("GET", "/api/query", "POST"),
        ("PUT", "/api/sessions", "POST"),
        ("POST", "/health", "GET"),
        ("DELETE", "/api/offer", "PATCH, POST"),  # Starlette names the first route's methods
        ("POST", "/", "GET, HEAD"),
    ],
)
async def test_a_wrong_method_is_405_with_allow(
    client: httpx.AsyncClient, method: str, path: str, allow: str
) -> None:
    response = await client.request(method, path, content=b"{}", headers=JSON)
    assert response.status_code == 405, response.text
    named = {m.strip() for m in response.headers["allow"].split(",")}
    assert named and named <= set(allow.split(", ")), response.headers["allow"]
    assert response.json()["error"]["code"] == "method_not_allowed"


async def test_unknown_api_paths_are_404_and_the_page_is_still_served(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/nothing-here")).status_code == 404
    page = await client.get("/")
    assert page.status_code == 200 and "<html" in page.text.lower()
