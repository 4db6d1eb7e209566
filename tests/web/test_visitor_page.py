"""The visitor page in headless Chromium at desktop width and at 390 px: the person from the
resume, suggested questions, the recording notice, and a typed question answered with progress."""

from __future__ import annotations

from pathlib import Path

import pytest

from signaling.background_server import LiveServer
from tests.web.browser import CHROMIUM, Browser
from tests.web.screens import DESKTOP, NO_HORIZONTAL_SCROLL, PHONE, SCREENSHOTS, inside_viewport, viewport_id

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed")

ANSWERS = "[...document.querySelectorAll('#transcript li.assistant:not(.pending)')].map(li => li.textContent)"
# Remember whether the "finding the answer" indicator was ever on screen (it may be brief).
WATCH_PENDING = (
    "window.sawPending = false; new MutationObserver(() => {"
    " if (document.querySelector('#transcript li.pending')) window.sawPending = true;"
    "}).observe(document.getElementById('transcript'), {childList: true, subtree: true});"
)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=viewport_id)
async def test_visitor_page_shows_the_person_and_answers_typed_questions(
    voice_service: LiveServer, page: Browser, size: tuple[int, int]
) -> None:
    await page.set_viewport(*size, mobile=size[0] < 500)
    await page.goto(voice_service.url + "/")
    await page.wait_for("document.getElementById('name').textContent === 'Jordan Reyes'")
    assert (await page.evaluate("document.getElementById('title').textContent")).startswith("Staff Software")
    assert "twelve years" in await page.evaluate("document.getElementById('summary').textContent")
    assert await page.evaluate("document.title") == "Ask about Jordan Reyes's resume"
    suggestions = await page.evaluate(
        "[...document.querySelectorAll('#suggestions button')].map(b => b.textContent)"
    )
    assert len(suggestions) == 4 and "What does Jordan do at Sonora Labs?" in suggestions
    notice = await page.wait_for(
        "!document.getElementById('recording').hidden && document.getElementById('recording').textContent"
    )
    assert "recorded" in notice and "24 hours" in notice
    assert await page.evaluate("document.getElementById('state').textContent") == "Not connected"
    # Options that only matter during a call stay out of the way until then.
    assert await page.evaluate("document.getElementById('mute-label').hidden")

    # A typed question: progress shown while it is answered, then the answer.
    await page.evaluate(WATCH_PENDING)
    await page.evaluate(
        "document.getElementById('text').value = 'Where did Jordan study?';"
        "document.getElementById('ask').requestSubmit()"
    )
    answer = await page.wait_for(f"{ANSWERS}.find(t => t.includes('Madrid'))")
    assert "Universidad Politécnica de Madrid" in answer
    assert await page.evaluate("window.sawPending")
    assert await page.evaluate("!document.querySelector('#transcript li.pending')")
    assert await page.evaluate("!document.getElementById('send').hasAttribute('aria-busy')")

    # A suggestion is a question too, in the same conversation.
    await page.evaluate("[...document.querySelectorAll('#suggestions button')][0].click()")
    await page.wait_for(f"{ANSWERS}.some(t => t.includes('Sonora Labs'))")
    session = await page.evaluate("JSON.parse(sessionStorage.getItem('session')).session_id")

    # It fits: nothing runs off the side (the Send button used to at 390 px).
    assert await page.evaluate(NO_HORIZONTAL_SCROLL)
    assert await page.evaluate(inside_viewport("#send, #text, #call, #hangup, #suggestions button"))
    # Keyboard users reach the question box first through the skip link; every control has a name.
    assert await page.evaluate("document.querySelector('a.skip').getAttribute('href')") == "#text"
    assert await page.evaluate(
        "[...document.querySelectorAll('button, input')].every(e => e.labels?.length || e.textContent.trim()"
        " || e.getAttribute('aria-label'))"
    )
    await page.screenshot(SCREENSHOTS / f"visitor-{viewport_id(size)}.png")

    # A reload keeps the conversation: the same session, its turns shown again.
    await page.goto(voice_service.url + "/")
    await page.wait_for(f"{ANSWERS}.some(t => t.includes('Madrid'))")
    assert await page.evaluate("JSON.parse(sessionStorage.getItem('session')).session_id") == session
