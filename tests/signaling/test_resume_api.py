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


async def test_import_checks_warnings_and_json_resume(
    client: httpx.AsyncClient, ctx: AppContext, owner_key: str
) -> None:
    auth = {**JSON, "Authorization": f"Bearer {owner_key}"}
    data = json.loads(sample_resume_json())
    data["projects"][0]["start"] = "2039-01"
    response = await client.put("/api/resume", content=json.dumps(data), headers=auth)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["message"] == "projects.0.start: 2039-01 is more than a month in the future"
    assert error["details"][0]["field"] == "projects.0.start"

    data = json.loads(sample_resume_json())
    data["publications"] = []
    response = await client.put("/api/resume", content=json.dumps(data), headers=auth)
    assert response.status_code == 200
    (warning,) = response.json()["warnings"]
    assert warning == {
        "field": "publications",
        "message": "empty section: add items or leave it out",
        "severity": "warning",
    }

    jr = {
        "basics": {"name": "Ana Lima", "label": "Registered Nurse", "summary": "Nurse on surgical wards."},
        "work": [
            {
                "name": "Hospital Central",
                "position": "Staff Nurse",
                "startDate": "2018-03-01",
                "highlights": ["Led the ward's sepsis screening rollout."],
            }
        ],
    }
    response = await client.put("/api/resume", content=json.dumps(jr), headers=auth)
    assert response.status_code == 200 and response.json()["format"] == "json-resume"
    answer = (await client.post("/api/query", json={"text": "Has she done anything on sepsis?"})).json()
    assert "sepsis" in answer["answer"] and answer["items"][0]["id"] == "exp-hospital-central"
    assert (await client.put("/api/resume", content=sample_resume_json(), headers=auth)).status_code == 200
