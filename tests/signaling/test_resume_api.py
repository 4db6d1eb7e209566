"""PUT /api/resume: owner keys (missing, wrong, revoked) and resume validation."""

from __future__ import annotations

import json

import httpx

from signaling.context import AppContext
from storage.api_keys import revoke_key
from tools.resume_model import sample_resume_json

JSON = {"content-type": "application/json"}


async def test_missing_wrong_and_revoked_keys(
    client: httpx.AsyncClient, ctx: AppContext, owner_key: str
) -> None:
    body = sample_resume_json()
    assert (await client.put("/api/resume", content=body, headers=JSON)).status_code == 401
    wrong = owner_key[:-4] + ("AAAA" if owner_key[-4:] != "AAAA" else "BBBB")
    assert (
        await client.put("/api/resume", content=body, headers={**JSON, "Authorization": f"Bearer {wrong}"})
    ).status_code == 401
    assert (
        await client.put("/api/resume", content=body, headers={**JSON, "Authorization": "Bearer ra_short"})
    ).status_code == 401
    assert await revoke_key(ctx.storage.pool, owner_key[:11])
    response = await client.put(
        "/api/resume", content=body, headers={**JSON, "Authorization": f"Bearer {owner_key}"}
    )
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "invalid or revoked API key"


async def test_replace_bumps_version_and_reloads_engine(
    client: httpx.AsyncClient, ctx: AppContext, owner_key: str
) -> None:
    data = json.loads(sample_resume_json())
    data["profile"]["availability"] = "Available from March 2031."
    before = ctx.resume.version
    auth = {**JSON, "Authorization": f"Bearer {owner_key}"}
    response = await client.put("/api/resume", content=json.dumps(data), headers=auth)
    assert response.status_code == 200, response.text
    assert response.json()["version"] == before + 1
    answer = await client.post("/api/query", json={"text": "When can Jordan start?"})
    assert "March 2031" in answer.json()["answer"]
    # Put the sample back for the other tests.
    assert (await client.put("/api/resume", content=sample_resume_json(), headers=auth)).status_code == 200


async def test_bad_resume_names_the_field_and_changes_nothing(
    client: httpx.AsyncClient, ctx: AppContext, owner_key: str
) -> None:
    data = json.loads(sample_resume_json())
    data["experience"][1]["start"] = "June 2019"
    version = ctx.resume.version
    auth = {**JSON, "Authorization": f"Bearer {owner_key}"}
    response = await client.put("/api/resume", content=json.dumps(data), headers=auth)
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("experience.1.start")
    assert (await client.put("/api/resume", content="{not json", headers=auth)).status_code == 400
    assert ctx.resume.version == version
