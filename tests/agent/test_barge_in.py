"""Barge-in over a real WebRTC call: speech stops the agent quickly, a click does not."""

from __future__ import annotations

import asyncio
import time

import numpy as np

from pipeline.models import SpeechModels
from tests.caller import Caller, poll
from tests.voice_fixtures import click, speech, wait_until_quiet

INTERRUPTION_BOUND_S = 0.5


def _onset_offset_s(pcm: np.ndarray, threshold: int = 200) -> float:
    """Where the voiced part of a clip starts (Piper clips begin with a little silence)."""
    loud = np.flatnonzero(np.abs(pcm.astype(np.int32)) > threshold)
    return float(loud[0]) / 48000 if len(loud) else 0.0


def _silent_from(caller: Caller, after: float, hold_s: float = 0.8) -> float | None:
    """The first time after `after` from which the agent stays silent for `hold_s`."""
    r = caller.received
    speech_times = [t for t, rms in zip(r.times, r.rms, strict=False) if t >= after and rms > 300]
    candidate = after
    for t in speech_times:
        if t - candidate >= hold_s:
            return candidate
        candidate = t
    return candidate if r.times and r.times[-1] - candidate >= hold_s else None


async def test_speech_interrupts_the_agent_but_a_click_or_a_short_word_does_not(
    models: SpeechModels, caller: Caller
) -> None:
    assert (await caller.connect()).status_code == 200
    await caller.wait_for(lambda m: m.get("type") == "transcript" and m["role"] == "assistant")
    await wait_until_quiet(caller)

    # A long answer to talk over.
    asked = await caller.say(speech(models, "What did they do at Cartograph?"))
    await caller.wait_for(lambda m: m.get("type") == "latency", timeout_s=30)
    await poll(lambda: caller.received.first_speech_after(asked) is not None, 60, "no answer")
    await asyncio.sleep(1.5)  # well into the answer

    # A 150 ms click: the agent keeps talking.
    clicked = await caller.say(click(0.15))
    await asyncio.sleep(2.0)
    assert caller.received.speaking_at(clicked + 0.5, clicked + 2.0), "a click must not stop the agent"
    assert not [m for m in caller.server_messages() if m.get("type") == "interrupted"]

    # One short word: the agent pauses, then carries on with the same answer; "yes" is not answered.
    said_yes = await caller.say(speech(models, "Yes."))
    await asyncio.sleep(2.5)
    assert caller.received.speaking_at(said_yes + 0.6, said_yes + 2.5), (
        "a short word must not stop the answer"
    )
    assert not [m for m in caller.server_messages() if m.get("type") == "interrupted"]
    assert not [
        m for m in caller.server_messages() if m.get("role") == "user" and m["text"].lower().startswith("yes")
    ]

    # Real speech: the agent's audio stops within the bound, measured from the speech's onset.
    interruption = speech(models, "Wait, tell me about their education instead.")
    # (Sentences are separated by short pauses, so "talking" means within the last second.)
    assert caller.received.speaking_at(time.time() - 1.0, time.time()), "the agent should still be talking"
    task = asyncio.create_task(caller.say(interruption))
    await poll(lambda: caller.mic.sent_speech_from > said_yes, 10, "speech never sent", interval_s=0.005)
    onset = caller.mic.sent_speech_from + _onset_offset_s(interruption)
    await task
    await asyncio.sleep(1.0)
    stopped = _silent_from(caller, onset)
    assert stopped is not None, "the agent never stopped"
    assert stopped - onset <= INTERRUPTION_BOUND_S, (
        f"agent audio stopped {stopped - onset:.3f} s after speech onset"
    )

    # And the interruption is a question like any other: it gets answered.
    answer = await caller.wait_for(
        lambda m: m.get("type") == "transcript" and m["role"] == "assistant" and "MSc" in m.get("text", "")
    )
    assert answer["spoken"]
    assert [m for m in caller.server_messages() if m.get("type") == "interrupted"]
