"""The owner's dashboard in headless Chromium at desktop width and at 390 px: sign in with an owner
key, find a call made in this test, read its transcript and play its recording, see the
analytics, and upload a resume with an error that the page explains."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import asyncpg
import pytest

from pipeline.models import SpeechModels
from signaling.background_server import LiveServer
from storage.api_keys import create_key
from tests.call_helpers import ask_out_loud
from tests.voice_fixtures import wait_for_no_calls
from tests.web.browser import CHROMIUM, Browser
from tests.web.screens import DESKTOP, NO_HORIZONTAL_SCROLL, PHONE, SCREENSHOTS, viewport_id
from tools.resume_model import sample_resume_json

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed")


async def _db(server: LiveServer) -> asyncpg.Connection:
    return await asyncpg.connect(server.app.state.ctx.storage.database_url)


@pytest.fixture(scope="module")
async def recorded_call(voice_service: LiveServer, models: SpeechModels) -> str:
    """A real call: the question asked out loud, answered, hung up, its recordings written."""
    session_id = await ask_out_loud(voice_service.url, models, "Which projects used Rust?")
    await wait_for_no_calls(voice_service)
    conn = await _db(voice_service)
    try:
        for _ in range(150):  # the call's end and its last recording are written at hang-up
            done = await conn.fetchval(
                "SELECT s.end_reason IS NOT NULL"
                " AND (SELECT count(*) FROM call_audio a WHERE a.session_id = s.id) >= 3"
                " FROM sessions s WHERE s.id = $1",
                uuid.UUID(session_id),
            )
            if done:
                break
            await asyncio.sleep(0.2)
        else:
            raise AssertionError("the call's recordings were never stored")
    finally:
        await conn.close()
    return session_id


@pytest.fixture
async def owner_key_live(voice_service: LiveServer) -> str:
    conn = await _db(voice_service)
    try:
        return await create_key(conn, voice_service.app.state.ctx.owner_id, "dashboard test")
    finally:
        await conn.close()


def _click(selector: str) -> str:
    return f"document.querySelector({selector!r}).click()"


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=viewport_id)
async def test_dashboard_signs_in_shows_the_call_plays_it_and_explains_a_bad_resume(
    voice_service: LiveServer,
    recorded_call: str,
    owner_key_live: str,
    page: Browser,
    size: tuple[int, int],
    tmp_path: Path,
) -> None:
    name = viewport_id(size)
    await page.set_viewport(*size, mobile=size[0] < 500)
    await page.goto(voice_service.url + "/dashboard", ready="!!document.getElementById('signin-form')")
    assert await page.evaluate("location.pathname") == "/dashboard/"

    # A wrong key is refused, and the page says so.
    await page.evaluate(
        "document.getElementById('key').value = 'ra_wrongwrongwrongwrongwrongwrong';"
        "document.getElementById('signin-form').requestSubmit()"
    )
    assert "refused" in await page.wait_for(
        "!notice.hidden && notice.textContent".replace("notice", "document.getElementById('notice')")
    )
    assert await page.evaluate("!document.getElementById('signin').hidden")

    await page.evaluate(
        f"document.getElementById('key').value = {owner_key_live!r};"
        "document.getElementById('signin-form').requestSubmit()"
    )
    row = f".call-row[data-session='{recorded_call}']"
    await page.wait_for(f"!!document.querySelector({row!r})")
    # The key stays in this tab's session storage only.
    assert await page.evaluate("sessionStorage.getItem('ownerKey')") == owner_key_live
    assert await page.evaluate("localStorage.length") == 0
    assert "web" in await page.evaluate(f"document.querySelector({row!r}).textContent")

    await page.evaluate(_click(row))
    await page.wait_for(
        "[...document.querySelectorAll('.turn.user .text')].some(t => /rust/i.test(t.textContent))"
    )
    assert await page.evaluate("document.querySelectorAll('.turn audio').length") >= 3
    assert "jitterbuf" in await page.evaluate("document.getElementById('detail').textContent")

    # Play the caller's own words back.
    await page.evaluate(
        "window.played = null; const a = document.querySelector('.turn.user audio');"
        "a.play().then(() => { window.played = 'playing'; }, (e) => { window.played = 'error: ' + e; })"
    )
    assert await page.wait_for("window.played") == "playing"
    await page.wait_for("document.querySelector('.turn.user audio').currentTime > 0.3", 20)
    assert await page.evaluate("document.querySelector('.turn.user audio').duration") > 1.0
    await page.evaluate("document.querySelector('.turn.user audio').pause()")
    assert await page.evaluate(NO_HORIZONTAL_SCROLL)
    await page.screenshot(SCREENSHOTS / f"dashboard-calls-{name}.png")

    # Analytics: the question of the call is among the top ones, charts are drawn.
    await page.evaluate(_click("#nav [data-view='analytics']"))
    await page.wait_for("!!document.querySelector('#chart-days svg rect')")
    top = await page.wait_for("document.getElementById('chart-top').textContent")
    assert "rust" in top.lower()
    assert "ms" in await page.evaluate("document.getElementById('latency').textContent")
    assert await page.evaluate(NO_HORIZONTAL_SCROLL)
    await page.screenshot(SCREENSHOTS / f"dashboard-analytics-{name}.png")

    # The resume: what is loaded, and an upload with an error, explained field by field.
    await page.evaluate(_click("#nav [data-view='resume']"))
    assert "Jordan Reyes" in await page.wait_for("document.getElementById('resume-summary').textContent")
    bad = json.loads(sample_resume_json())
    bad["experience"][1]["start"] = "June 2019"
    path = tmp_path / "bad_resume.json"
    path.write_text(json.dumps(bad))
    version = voice_service.app.state.ctx.resume.version
    await page.set_files("#resume-file", path)
    await page.evaluate("document.getElementById('upload').requestSubmit()")
    error = await page.wait_for("document.querySelector('.upload-error')?.textContent")
    assert "not loaded" in error and "experience.1.start" in error
    assert voice_service.app.state.ctx.resume.version == version  # nothing changed
    assert await page.evaluate(NO_HORIZONTAL_SCROLL)
    await page.screenshot(SCREENSHOTS / f"dashboard-resume-{name}.png")
