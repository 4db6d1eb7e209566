"""Speculative Smart Turn: the verdict started at the pause is the one VAD's stop would get,
used only if the caller stayed silent, dropped if they spoke again."""

from __future__ import annotations

import numpy as np
from pipecat.audio.turn.base_turn_analyzer import EndOfTurnState
from prometheus_client import REGISTRY

from pipeline.analyzers import SharedSmartTurn
from pipeline.models import SpeechModels
from tests.voice_fixtures import speech, to_16k

FRAME = 640  # 20 ms at 16 kHz, 16-bit


def _count(outcome: str) -> float:
    return REGISTRY.get_sample_value("resume_agent_turn_speculations_total", {"outcome": outcome}) or 0.0


def _analyzer(models: SpeechModels) -> SharedSmartTurn:
    analyzer = SharedSmartTurn(models.turn_session, vad_stop_s=0.2, speculate_after_s=0.06)
    analyzer.set_sample_rate(16000)
    return analyzer


def _feed(analyzer: SharedSmartTurn, pcm: bytes) -> None:
    for i in range(0, len(pcm) - FRAME + 1, FRAME):
        analyzer.append_audio(pcm[i : i + FRAME], True)  # VAD calls it speech until its stop


def _question(models: SpeechModels, text: str) -> bytes:
    audio = speech(models, text)
    loud = np.flatnonzero(np.abs(audio) > 500)
    pcm = to_16k(audio[loud[0] : loud[-1] + 1])
    return pcm[: len(pcm) - len(pcm) % FRAME]  # whole frames, as WebRTC delivers them


async def test_verdict_started_at_the_pause_is_the_one_the_stop_gets(models: SpeechModels) -> None:
    said = _question(models, "Where did Jordan study?")
    direct = _analyzer(models)
    _feed(direct, said)
    _feed(direct, bytes(FRAME * 10))  # VAD's 0.2 s stop wait, all silence
    _, expected = await direct.analyze_end_of_turn()

    early = _analyzer(models)
    used = _count("used")
    _feed(early, said)
    _feed(early, bytes(FRAME * 3))  # 60 ms of silence: VAD tells the pause
    early.on_pause()
    assert early.speculating
    _feed(early, bytes(FRAME * 7))  # the rest of the stop wait
    state, got = await early.analyze_end_of_turn()
    assert _count("used") == used + 1
    assert expected is not None and got is not None
    assert getattr(got, "probability", None) == getattr(expected, "probability", None)
    assert not early.speculating


async def test_speech_after_the_pause_drops_the_early_verdict(models: SpeechModels) -> None:
    first, rest = _question(models, "Has Jordan ever worked"), _question(models, "with Kafka?")
    analyzer = _analyzer(models)
    dropped, used = _count("dropped"), _count("used")
    _feed(analyzer, first)
    _feed(analyzer, bytes(FRAME * 3))
    analyzer.on_pause()
    analyzer.on_resume()  # the caller went on
    assert not analyzer.speculating
    _feed(analyzer, rest)
    _feed(analyzer, bytes(FRAME * 10))
    state, result = await analyzer.analyze_end_of_turn()
    assert _count("dropped") == dropped + 1 and _count("used") == used
    # Judged on the whole question, as without speculation.
    whole = _analyzer(models)
    _feed(whole, first + bytes(FRAME * 3) + rest)
    _feed(whole, bytes(FRAME * 10))
    _, expected = await whole.analyze_end_of_turn()
    assert getattr(result, "probability", None) == getattr(expected, "probability", None)
    assert state in (EndOfTurnState.COMPLETE, EndOfTurnState.INCOMPLETE)


async def test_a_cleared_turn_leaves_no_early_verdict(models: SpeechModels) -> None:
    analyzer = _analyzer(models)
    _feed(analyzer, _question(models, "Any awards?"))
    analyzer.on_pause()
    analyzer.clear()  # the turn ended another way (an interruption, a typed question)
    assert not analyzer.speculating
    analyzer.on_pause()  # nothing buffered: nothing to judge
    assert not analyzer.speculating
