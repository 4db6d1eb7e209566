"""One short call for tests that need a real call to look at: greeting, a question out loud, its answer."""

from __future__ import annotations

from pipeline.models import SpeechModels
from tests.caller import Caller
from tests.voice_fixtures import speech, wait_until_quiet


async def ask_out_loud(
    base_url: str, models: SpeechModels, question: str, *, hear_answer: bool = True
) -> str:
    """Call `base_url`, let the greeting finish, say `question`, wait for the answer (and, with
    `hear_answer`, for it to be spoken), hang up; returns the call's session id."""
    caller = Caller(base_url)
    try:
        response = await caller.connect()
        assert response.status_code == 200, response.text
        await caller.wait_for(lambda m: m.get("type") == "transcript" and m["role"] == "assistant")
        await wait_until_quiet(caller)
        spoken_until = await caller.say(speech(models, question))
        await caller.wait_for(lambda m: m.get("type") == "transcript" and bool(m.get("source")))
        if hear_answer:
            await wait_until_quiet(caller, quiet_s=1.0, after=spoken_until)
    finally:
        await caller.close()
    assert caller.session_id
    return caller.session_id
