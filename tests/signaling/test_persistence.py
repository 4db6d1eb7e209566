"""Sessions, conversations and the resume survive a restart of the service."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from config.settings import Settings
from storage.content import replace_resume
from tests.conftest import running_app
from tools.resume_model import Resume, sample_resume_json


async def test_history_and_resume_survive_restart(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(data_dir=tmp_path)
    async with running_app(settings) as (app, client):
        first = (await client.post("/api/query", json={"text": "Where does Jordan work now?"})).json()
        session_id, token = first["session_id"], first["session_token"]
        follow = await client.post(
            "/api/query",
            json={"text": "What technologies did they use there?", "session_id": session_id},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert follow.status_code == 200, follow.text
        token = follow.json()["session_token"]
        data = json.loads(sample_resume_json())
        data["profile"]["summary"] = "A changed summary that must survive."
        ctx = app.state.ctx
        async with ctx.storage.pool.acquire() as conn:
            await replace_resume(conn, ctx.owner_id, Resume.model_validate(data))

    async with running_app(settings) as (app, client):
        history = await client.get(
            f"/api/sessions/{session_id}/history", headers={"Authorization": f"Bearer {token}"}
        )
        assert history.status_code == 200
        turns = history.json()["turns"]
        assert [t["role"] for t in turns] == ["user", "assistant", "user", "assistant"]
        assert turns[0]["text"] == "Where does Jordan work now?"
        assert turns[1]["latency_ms"] is not None
        assert (
            app.state.ctx.resume.cached_engine.resume.profile.summary
            == "A changed summary that must survive."
        )
