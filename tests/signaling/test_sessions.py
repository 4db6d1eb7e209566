"""Sessions, tokens and history access."""

from __future__ import annotations

import time
import uuid

import httpx
import jwt

from signaling.context import AppContext
from signaling.security import session_tokens


async def _session(client: httpx.AsyncClient) -> tuple[str, str]:
    response = await client.post("/api/sessions")
    assert response.status_code == 201
    body = response.json()
    return body["session_id"], body["session_token"]


async def test_new_session_has_token_for_itself(client: httpx.AsyncClient, ctx: AppContext) -> None:
    session_id, token = await _session(client)
    assert session_tokens.verify(ctx.secret, token) == uuid.UUID(session_id)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert 0 < claims["exp"] - time.time() <= ctx.settings.session_token_ttl_s


async def test_history_needs_the_sessions_own_token(client: httpx.AsyncClient) -> None:
    session_id, token = await _session(client)
    _, other_token = await _session(client)
    url = f"/api/sessions/{session_id}/history"
    assert (await client.get(url)).status_code == 401
    assert (await client.get(url, headers={"Authorization": f"Bearer {other_token}"})).status_code == 403
    ok = await client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200
    assert ok.json()["turns"] == []


async def test_tampered_and_expired_tokens_are_refused(client: httpx.AsyncClient, ctx: AppContext) -> None:
    session_id, token = await _session(client)
    url = f"/api/sessions/{session_id}/history"
    head, payload, sig = token.split(".")
    tampered = f"{head}.{payload}.{sig[:-2]}{'AA' if sig[-2:] != 'AA' else 'BB'}"
    response = await client.get(url, headers={"Authorization": f"Bearer {tampered}"})
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "invalid session token"
    forged = jwt.encode(
        {"sub": session_id, "aud": "resume-agent:session", "exp": time.time() + 60}, "guess", "HS256"
    )
    assert (await client.get(url, headers={"Authorization": f"Bearer {forged}"})).status_code == 401
    expired = jwt.encode(
        {"sub": session_id, "aud": "resume-agent:session", "exp": int(time.time()) - 5}, ctx.secret, "HS256"
    )
    response = await client.get(url, headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]


async def test_owner_key_reads_any_history(client: httpx.AsyncClient, owner_key: str) -> None:
    session_id, _ = await _session(client)
    response = await client.get(
        f"/api/sessions/{session_id}/history", headers={"Authorization": f"Bearer {owner_key}"}
    )
    assert response.status_code == 200


async def test_unknown_session_is_404_and_bad_id_is_422(client: httpx.AsyncClient, owner_key: str) -> None:
    auth = {"Authorization": f"Bearer {owner_key}"}
    assert (await client.get(f"/api/sessions/{uuid.uuid4()}/history", headers=auth)).status_code == 404
    assert (await client.get("/api/sessions/not-a-uuid/history", headers=auth)).status_code == 422
