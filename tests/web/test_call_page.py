"""The call page in headless Chromium: a real browser calls, speaks, types and hangs up."""

from __future__ import annotations

import asyncio
import wave
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest

from pipeline.models import SpeechModels
from signaling.background_server import LiveServer
from tests.caller import Caller
from tests.voice_fixtures import VOICE_MAX_CALLS, speech, wait_for_no_calls, wait_for_turns
from tests.web.browser import CHROMIUM, Browser
from tests.web.screens import SCREENSHOTS

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed")

TRANSCRIPT = "[...document.querySelectorAll('#transcript li')]"
# Keep every state the call shows and every caption, however briefly each is on screen.
WATCH_CALL = (
    "window.callStates = []; window.captions = [];"
    "new MutationObserver(() => { const s = document.getElementById('state').dataset.state;"
    " if (window.callStates.at(-1) !== s) window.callStates.push(s); })"
    ".observe(document.getElementById('state'), {attributes: true, childList: true, subtree: true});"
    "new MutationObserver(() => window.captions.push(document.getElementById('caption').textContent))"
    ".observe(document.getElementById('caption'), {childList: true, characterData: true, subtree: true});"
)
IN_CALL = "['listening', 'thinking', 'speaking'].includes(document.getElementById('state').dataset.state)"


def _wav(path: Path, pcm48k: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(48000)
        w.writeframes(pcm48k.astype(np.int16).tobytes())
    return path


@pytest.fixture
async def browser(tmp_path: Path, models: SpeechModels) -> AsyncIterator[Browser]:
    # The fake microphone: quiet while the greeting plays, then the question, then quiet.
    question = speech(models, "Which projects used Rust?", gain=0.5)
    audio = np.concatenate([np.zeros(48000 * 8, np.int16), question, np.zeros(48000 * 60, np.int16)])
    b = Browser(_wav(tmp_path / "mic.wav", audio))
    await b.start()
    try:
        yield b
    finally:
        await b.close()


async def _line(browser: Browser, role: str, needle: str, timeout_s: float = 60) -> str:
    text: str = await browser.wait_for(
        f"{TRANSCRIPT}.filter(li => li.classList.contains('{role}'))"
        f".map(li => li.textContent).find(t => t.toLowerCase().includes({needle.lower()!r}))",
        timeout_s,
    )
    return text


async def test_page_calls_shows_both_sides_and_answers_typed_questions(
    voice_service: LiveServer, browser: Browser
) -> None:
    await browser.goto(voice_service.url + "/")
    await browser.evaluate(WATCH_CALL)
    await browser.evaluate("document.getElementById('call').click()")
    await browser.wait_for(IN_CALL, 30)

    assert "Jordan Reyes" in await _line(browser, "assistant", "Jordan Reyes")
    assert "rust" in (await _line(browser, "user", "rust")).lower()
    answer = await _line(browser, "assistant", "jitterbuf")
    assert "⏱" in await browser.wait_for(
        f"{TRANSCRIPT}.map(li => li.textContent).find(t => t.includes('jitterbuf') && t.includes('⏱'))"
    ), answer
    assert await browser.evaluate("parseFloat(document.getElementById('level').style.width) >= 0")
    await browser.screenshot(SCREENSHOTS / "visitor-in-call-desktop.png")
    # The call's states and live captions of what the agent says, as they happened.
    seen = await browser.evaluate("window.callStates")
    assert {"connecting", "listening", "thinking", "speaking"} <= set(seen), seen
    assert any("Jordan Reyes" in c for c in await browser.evaluate("window.captions"))

    # A typed question during the call: answered in the same conversation.
    await browser.evaluate(
        "document.getElementById('text').value = 'What did they do at Cartograph?';"
        "document.getElementById('ask').requestSubmit()"
    )
    assert "Cartograph" in await _line(browser, "assistant", "95,000")

    session = await browser.evaluate("JSON.parse(sessionStorage.getItem('session')).session_id")
    turns = await wait_for_turns(
        voice_service, session, lambda ts: sum(t.role == "user" for t in ts) >= 2 and "95,000" in ts[-1].text
    )
    assert [t.text for t in turns if t.role == "user"][-1] == "What did they do at Cartograph?"

    await browser.evaluate("document.getElementById('hangup').click()")
    await browser.wait_for("document.getElementById('state').textContent === 'Not connected'")
    await wait_for_no_calls(voice_service)

    # After hang-up a typed follow-up continues the same conversation (same session, same memory).
    await browser.evaluate(
        "document.getElementById('text').value = 'Which of those used WebRTC?';"
        "document.getElementById('ask').requestSubmit()"
    )
    assert "jitterbuf" in await _line(browser, "assistant", "used webrtc")
    assert await browser.evaluate("JSON.parse(sessionStorage.getItem('session')).session_id") == session
    await wait_for_turns(
        voice_service,
        session,
        lambda ts: ts[-2].text == "Which of those used WebRTC?" and ts[-1].role == "assistant",
    )


async def test_page_explains_busy_denied_and_failed(voice_service: LiveServer, browser: Browser) -> None:
    await browser.goto(voice_service.url + "/")
    notice = "document.getElementById('notice').textContent"

    # Microphone denied.
    await browser.evaluate(
        "navigator.mediaDevices.getUserMedia = () =>"
        " Promise.reject(new DOMException('no', 'NotAllowedError'))"
    )
    await browser.evaluate("document.getElementById('call').click()")
    assert "Microphone access was denied" in await browser.wait_for(notice)
    await browser.goto(voice_service.url + "/")

    # Every line taken.
    callers = [Caller(voice_service.url) for _ in range(VOICE_MAX_CALLS)]
    try:
        assert all(r.status_code == 200 for r in await asyncio.gather(*(c.connect() for c in callers)))
        await browser.evaluate("document.getElementById('call').click()")
        assert "busy" in await browser.wait_for(notice)
        assert await browser.evaluate("!document.getElementById('call').disabled")
    finally:
        await asyncio.gather(*(c.close() for c in callers))
    await wait_for_no_calls(voice_service)

    # The service refusing the offer for another reason.
    await browser.goto(voice_service.url + "/")
    await browser.evaluate(
        "const realFetch = window.fetch;"
        "window.fetch = (url, init) => url === '/api/offer' && init && init.method === 'POST'"
        "  ? Promise.resolve(new Response("
        "      JSON.stringify({error: {message: 'internal error'}}), {status: 500}))"
        "  : realFetch(url, init)"
    )
    await browser.evaluate("document.getElementById('call').click()")
    assert (await browser.wait_for(notice)).startswith("Connection failed")
