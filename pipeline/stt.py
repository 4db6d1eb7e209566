"""Speech to text: the shared local model, or a cloud Whisper with local fallback.

Segmented STT: Pipecat hands us one utterance (VAD start to VAD stop) at a time. A cloud error
or timeout costs that turn the cloud attempt only; the same audio is then transcribed locally.
Whichever transcribed it, the transcript leaves through the resume-word correction
(`pipeline/stt_correction.py`, STT_CORRECTION).
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass

import ctranslate2
import numpy as np
from faster_whisper import WhisperModel
from faster_whisper.audio import pad_or_trim
from faster_whisper.tokenizer import Tokenizer
from openai import AsyncOpenAI, omit
from pipecat.audio.utils import pcm_to_wav
from pipecat.frames.frames import Frame, TranscriptionFrame, VADUserStoppedSpeakingFrame
from pipecat.processors.frame_processor import FrameDirection
from pipecat.services.stt_service import SegmentedSTTService
from pipecat.transcriptions.language import Language
from pipecat.utils.time import time_now_iso8601
from prometheus_client import Counter
from wordfreq import zipf_frequency

from config.settings import Settings
from pipeline.answer_clock import AnswerClock
from pipeline.local_stt import LocalTranscriber
from pipeline.scheduler import SchedulerFull, get_scheduler
from pipeline.speculation import Speculation
from pipeline.stt_correction import TranscriptCorrector
from tools.resume_model import Resume
from tools.vocabulary import build_vocabulary

log = logging.getLogger(__name__)

STT_FALLBACKS = Counter(
    "resume_agent_stt_fallbacks_total", "Cloud STT failures transcribed locally", ["reason"]
)

GROQ_BASE_URL = "https://api.groq.com/openai/v1"
# Segments Whisper itself judges more likely silence than speech (a cough, a click) are dropped.
NO_SPEECH_PROB = 0.4


# A transcript and Whisper's mean token log-probability for it (None: not Whisper's, or no tokens).
Transcript = tuple[str, float | None]


@dataclass(frozen=True)
class CloudSTTConfig:
    base_url: str | None
    api_key: str
    model: str
    timeout_s: float


def cloud_stt_config(settings: Settings) -> CloudSTTConfig | None:
    """The cloud STT STT_PROVIDER names, if its key is set; None means local only."""
    base: str | None
    if settings.stt_provider == "groq" and settings.groq_api_key:
        key, base, model = (
            settings.groq_api_key,
            settings.stt_base_url or GROQ_BASE_URL,
            "whisper-large-v3-turbo",
        )
    elif settings.stt_provider == "openai" and settings.openai_api_key:
        key, base, model = settings.openai_api_key, settings.stt_base_url, "whisper-1"
    else:
        if settings.stt_provider != "local":
            log.warning("STT_PROVIDER=%s has no API key; using local STT", settings.stt_provider)
        return None
    return CloudSTTConfig(
        base, key.get_secret_value(), settings.stt_cloud_model or model, settings.stt_timeout_s
    )


# Whisper's encoder is built for 30 s windows and costs the same for a 2 s question: ~0.5 s of
# this machine's 0.65 s transcription. CTranslate2 accepts a shorter window; padded to at least
# MIN_WINDOW_S the transcripts match the full window's on our test phrases at a third of the cost.
# (At 5 s, one-word clips like "Yes." often loop: "Yes. Yes. Yes. ..."; 10 s does not.)
MIN_WINDOW_S = 10.0
# Tokens allowed per second of audio (speech is ~4): a cap on any remaining repetition loop.
MAX_TOKENS_PER_S = 6.0
MAX_SHORT_WINDOW_S = 28.0
# Silence Pipecat pads each segment with, so the model hears the last word end (its default).
TRAILING_SILENCE_S = 0.5


# A term goes into the prompt if one of its words is rarer than this in English (wordfreq Zipf):
# Whisper spells "Voice latency observatory" right anyway, not "Kamailio".
PROMPT_RARE_ZIPF = 4.0
PROMPT_MAX_TERM_WORDS = 3


def vocabulary_prompt(resume: Resume, max_words: int = 70) -> str:
    """The resume's distinctive names, given to Whisper as preceding text so it spells them right.

    Most identifying last: the prompt is cut to its last tokens (LocalWhisper keeps 120), and
    Whisper leans most on the text nearest the audio. So places, technologies and items come
    first, then companies, and the person's name ends it.
    """
    v = build_vocabulary(resume)
    chosen: list[str] = []
    count = 0
    for group in (v.person[:1], v.companies, v.items, v.technologies, v.places):
        for term in group:
            words = re.findall(r"[^\W_]+", term)
            if not words or len(words) > PROMPT_MAX_TERM_WORDS or term in chosen:
                continue
            if min(zipf_frequency(w, "en") for w in words) >= PROMPT_RARE_ZIPF:
                continue
            if count + len(words) > max_words:
                break
            chosen.append(term)
            count += len(words)
    return " " + ", ".join(reversed(chosen)) + "." if chosen else ""


def collapse_repeats(text: str) -> str:
    """Whisper looping on a short clip ("Yes. Yes. Yes.") becomes what was said ("Yes.")."""
    sentences = re.split(r"(?<=[.!?])\s+", text)
    kept: list[str] = []
    for sentence in sentences:
        if len(kept) >= 2 and sentence.lower() == kept[-1].lower() == kept[-2].lower():
            continue
        kept.append(sentence)
    while len(kept) >= 2 and kept[-1].lower() == kept[-2].lower():
        kept.pop()
    return " ".join(kept)


class LocalWhisper:
    """Blocking transcription on the shared model (one instance per call: it holds the prompt)."""

    def __init__(self, model: WhisperModel, vocabulary: str = "") -> None:
        self.model = model
        # (Building a Tokenizer is cheap: it wraps the model's already-loaded HF tokenizer.)
        self.tokenizer = Tokenizer(
            model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language="en"
        )
        self._prompt_ids = self.tokenizer.encode(vocabulary)[-120:] if vocabulary.strip() else []
        # transcribe()'s last transcript's log-probability, for benchmarks. The STT service uses
        # transcribe_scored(): a dropped speculative job on another thread could overwrite this.
        self.last_logprob: float | None = None

    def transcribe(self, pcm16: bytes) -> str:
        text, self.last_logprob = self.transcribe_scored(pcm16)
        return text

    def transcribe_scored(self, pcm16: bytes) -> Transcript:
        """The transcript and its mean token log-probability: how sure Whisper was of it (the
        turn decision doubts a fragment Whisper had to complete itself, pipeline/turn_doubt.py)."""
        audio = np.frombuffer(pcm16, dtype=np.int16).astype(np.float32) / 32768.0
        if len(audio) > MAX_SHORT_WINDOW_S * 16000:
            return self._transcribe_long(audio)
        features = self.model.feature_extractor(audio)
        frames = min(3000, max(features.shape[1] + 100, int(MIN_WINDOW_S * 100)))
        window = ctranslate2.StorageView.from_array(np.ascontiguousarray(pad_or_trim(features, frames)[None]))
        tok = self.tokenizer
        prompt = ([tok.sot_prev, *self._prompt_ids] if self._prompt_ids else []) + [
            *tok.sot_sequence,
            tok.no_timestamps,
        ]
        # (max_length counts the prompt too.)
        max_length = min(448, len(prompt) + 12 + int(MAX_TOKENS_PER_S * len(audio) / 16000))
        # Greedy decoding: beam search costs 3x on this CPU for no gain on short questions.
        result = self.model.model.generate(
            window,
            [prompt],
            beam_size=1,
            max_length=max_length,
            return_no_speech_prob=True,
            return_scores=True,
        )[0]
        logprob = float(result.scores[0]) if result.scores else None
        if result.no_speech_prob >= NO_SPEECH_PROB:
            return "", logprob  # Whisper judges it more likely not speech (a cough, a click, noise)
        text = collapse_repeats(tok.decode([t for t in result.sequences_ids[0] if t < tok.eot]).strip())
        return text, logprob

    def _transcribe_long(self, audio: np.ndarray) -> Transcript:
        segments, _ = self.model.transcribe(
            audio, language="en", beam_size=1, condition_on_previous_text=False
        )
        kept = [s for s in segments if s.no_speech_prob < NO_SPEECH_PROB]
        logprob = kept[-1].avg_logprob if kept else None
        return " ".join(s.text.strip() for s in kept).strip(), logprob


class SpeechToText(SegmentedSTTService):
    """The local engine on the shared model; a cloud Whisper first when one is configured."""

    def __init__(
        self,
        model: WhisperModel,
        cloud: CloudSTTConfig | None = None,
        vocabulary: str = "",
        corrector: TranscriptCorrector | None = None,
        local: LocalTranscriber | None = None,
        speculate: bool = False,
        call_id: str | None = None,
        clock: AnswerClock | None = None,
        **kwargs: object,
    ) -> None:
        # A finalized transcript ends the turn at once; this p99 is only the turn strategy's safety net.
        super().__init__(
            ttfs_p99_latency=(cloud.timeout_s + 1.5) if cloud else 1.5,
            trailing_silence_secs=TRAILING_SILENCE_S,
            **kwargs,  # type: ignore[arg-type]
        )
        # The local engine: Whisper on the shared model with this resume's prompt, unless another
        # engine (Moonshine, STT_LOCAL_ENGINE) is given.
        self._local: LocalTranscriber = local if local is not None else LocalWhisper(model, vocabulary)
        self._local_scored = _scored(self._local)
        self._vocabulary = vocabulary.strip()
        self._corrector = corrector
        self._cloud = cloud
        self._call_id = call_id
        self._clock = clock or AnswerClock()
        self._client = (
            AsyncOpenAI(
                base_url=cloud.base_url, api_key=cloud.api_key, max_retries=0, timeout=cloud.timeout_s
            )
            if cloud
            else None
        )
        self.last_source = "local"
        # Only for the local engine: a cloud request per pause would be billed twice.
        self._speculation = Speculation(self._transcribe_locally) if speculate and cloud is None else None

    @property
    def speculates(self) -> bool:
        """Whether it transcribes during the end-of-speech silence (wants the VAD's pauses)."""
        return self._speculation is not None

    @property
    def wants_wav_segments(self) -> bool:
        return False  # the local model reads raw PCM; the cloud path wraps it itself

    def can_generate_metrics(self) -> bool:
        return True

    async def cleanup(self) -> None:
        await super().cleanup()
        if self._client is not None:
            await self._client.close()

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        if isinstance(frame, VADUserStoppedSpeakingFrame):
            self._clock.speech_ended(frame.stop_secs)
        await super().process_frame(frame, direction)

    # The VAD's pause listener (pipeline/speculation.py).
    def on_pause(self) -> None:
        # Only while no transcription is running or queued in this process: under load it costs nothing.
        if self._speculation is not None and get_scheduler().pending("stt") == 0:
            # (The segment Pipecat will hand over is this buffer, grown by the stop wait.)
            self._speculation.start(bytes(self._audio_buffer) + self._trailing_silence())

    def on_resume(self) -> None:
        if self._speculation is not None:
            self._speculation.drop()

    async def run_stt(self, audio: bytes) -> AsyncGenerator[Frame, None]:
        await self.start_processing_metrics()
        early = None
        if self._speculation is not None:
            # (The padding length Pipecat's _trailing_silence() gives, without building it.)
            padding = int(self.sample_rate * self._trailing_silence_secs) * 2
            early = await self._speculation.take(audio, padding)
        text, logprob = early if early is not None else await self._transcribe(audio)
        text = self.correct(text)
        await self.stop_processing_metrics()
        if text:
            result = {"avg_logprob": logprob} if logprob is not None else None
            yield TranscriptionFrame(text, self._user_id, time_now_iso8601(), Language.EN, result=result)

    def correct(self, text: str) -> str:
        """The transcript with the resume's own words put back (local and cloud alike)."""
        return self._corrector.correct(text) if self._corrector is not None and text else text

    async def _transcribe(self, pcm: bytes) -> Transcript:
        if self._client is not None and self._cloud is not None:
            start = time.perf_counter()
            try:
                async with asyncio.timeout(self._cloud.timeout_s):
                    text = await self._cloud_transcribe(pcm)
                self.last_source = "cloud"
                return text, None
            except TimeoutError:
                STT_FALLBACKS.labels("timeout").inc()
                log.warning(
                    "cloud STT timed out after %.1f s; transcribing locally", time.perf_counter() - start
                )
            except Exception as exc:  # any cloud failure: the caller still gets a transcript
                STT_FALLBACKS.labels(type(exc).__name__).inc()
                log.warning("cloud STT failed (%s); transcribing locally", type(exc).__name__)
        return await self._transcribe_locally(pcm)

    async def _transcribe_locally(self, pcm: bytes) -> Transcript:
        self.last_source = "local"
        try:
            # On the shared scheduler, due when the caller stopped speaking (pipeline/answer_clock.py):
            # sharing the model threads with TTS and Smart Turn keeps them to the cores.
            return await get_scheduler().run_blocking(
                self._local_scored, pcm, deadline=self._clock.due(), call_id=self._call_id, kind="stt"
            )
        except SchedulerFull:
            log.warning("inference queue full: an utterance was not transcribed")
            return "", None

    async def _cloud_transcribe(self, pcm: bytes) -> str:
        assert self._client is not None and self._cloud is not None
        wav = io.BytesIO(pcm_to_wav(pcm, self.sample_rate))
        wav.name = "speech.wav"
        result = await self._client.audio.transcriptions.create(
            model=self._cloud.model,
            file=wav,
            language="en",
            response_format="json",
            prompt=self._vocabulary or omit,
        )
        return result.text.strip()


def _scored(local: LocalTranscriber) -> Callable[[bytes], Transcript]:
    """The engine's transcription with its confidence: Whisper's own, or None (Moonshine has none)."""
    scored: Callable[[bytes], Transcript] | None = getattr(local, "transcribe_scored", None)
    if scored is not None:
        return scored
    return lambda pcm16: (local.transcribe(pcm16), None)
