"""The local STT engines, for real: STT_LOCAL_ENGINE picks the model, and Moonshine tiny (the
weights inside its wheel) transcribes a Piper-spoken question."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from pipecat.frames.frames import TranscriptionFrame

from config.settings import Settings
from pipeline.builder import build_stt
from pipeline.local_stt import MoonshinePool
from pipeline.models import ModelHolder, SpeechModels
from pipeline.stt import LocalWhisper
from pipeline.stt_correction import corrector_for
from tools.resume_model import load_sample_resume


def _settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(scope="module")
def moonshine_models() -> SpeechModels:
    return ModelHolder().get_blocking(_settings(stt_local_engine="moonshine"))


def _spoken(models: SpeechModels, text: str) -> bytes:
    """Piper saying `text`, as the pipeline hands it to STT: 16 kHz mono PCM16."""
    voice = models.piper
    audio = np.concatenate([chunk.audio_float_array for chunk in voice.synthesize(text)])
    n = int(len(audio) * 16000 / voice.config.sample_rate)
    pcm = np.interp(np.linspace(0, len(audio), n, endpoint=False), np.arange(len(audio)), audio)
    silence = np.zeros(3200)
    return (np.concatenate([silence, pcm, silence]) * 0.7 * 32767).astype(np.int16).tobytes()


def test_engine_setting_picks_the_local_model(moonshine_models: SpeechModels) -> None:
    assert isinstance(moonshine_models.moonshine, MoonshinePool)
    assert (
        build_stt(_settings(stt_local_engine="moonshine"), moonshine_models)._local
        is moonshine_models.moonshine
    )
    # The default engine is Whisper, on the shared model, with the resume's prompt.
    assert isinstance(build_stt(_settings(), moonshine_models)._local, LocalWhisper)
    assert _settings().stt_local_engine == "whisper"


async def test_moonshine_transcribes_a_spoken_question(moonshine_models: SpeechModels) -> None:
    stt = build_stt(
        _settings(stt_local_engine="moonshine"),
        moonshine_models,
        corrector=corrector_for(load_sample_resume()),
    )
    stt._sample_rate = 16000  # what the pipeline's StartFrame would set
    frames = [f async for f in stt.run_stt(_spoken(moonshine_models, "Where does Jordan work right now?"))]
    texts = [f.text for f in frames if isinstance(f, TranscriptionFrame)]
    assert len(texts) == 1 and stt.last_source == "local"
    # (A question Moonshine tiny hears alike in every Piper rendering: Piper samples noise, and on
    # "Which projects used Rust?" Moonshine hears "rust" or "rest" from one rendering to the next.)
    words = texts[0].lower()
    assert "jordan" in words and "work" in words and "now" in words
