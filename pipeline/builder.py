"""Assemble one call's frame pipeline for any Pipecat transport.

    transport in -> text input -> STT -> user context (Silero VAD, barge-in strategies,
    Smart Turn v3 + transcript end of turn, idle timer) -> answerer -> TTS -> hold release -> transport out
    -> assistant context

plus the latency observer, the call record's observers (usage, recordings), and RTVI (added by
the worker) for the client protocol. With tracing on, Pipecat traces the call and its turns.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipecat.audio.vad.vad_analyzer import VADParams
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineParams, PipelineWorker
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import (
    LLMContextAggregatorPair,
    LLMUserAggregatorParams,
)
from pipecat.services.tts_service import TTSService
from pipecat.transports.base_output import BaseOutputTransport
from pipecat.transports.base_transport import BaseTransport
from pipecat.turns.user_stop import BaseUserTurnStopStrategy, TurnAnalyzerUserTurnStopStrategy
from pipecat.turns.user_turn_strategies import UserTurnStrategies

from config.settings import Settings
from pipeline.analyzers import SharedSileroVAD, SharedSmartTurn
from pipeline.answer.answerer import Answerer, Conversation
from pipeline.answer_clock import AnswerClock
from pipeline.answer_processor import AnswerCallback, AnswerProcessor, QuestionCallback
from pipeline.call_record import CallRecord
from pipeline.cloud_tts import CloudTTS
from pipeline.continuation import ContinuationWindow
from pipeline.hold import HoldReleaseProcessor, SpeechHold
from pipeline.keypad import KeyCallback, KeypadProcessor
from pipeline.latency import LatencyCallback, LatencyObserver
from pipeline.models import SpeechModels
from pipeline.speculation import PauseListener, PauseListeners
from pipeline.stt import SpeechToText, cloud_stt_config
from pipeline.stt_correction import TranscriptCorrector
from pipeline.text_input import TextInputProcessor
from pipeline.tracing import tracing_enabled
from pipeline.tts import EdgeTTS, PiperTTS
from pipeline.turn_doubt import engine_intent
from pipeline.turn_stop import TextAwareTurnStopStrategy
from pipeline.turns import start_strategies

AUDIO_IN_RATE = 16000  # what Silero, Smart Turn and Whisper all want
AUDIO_OUT_RATE = 24000
VAD_STOP_S = 0.2  # Smart Turn's recommended VAD stop wait: the turn model decides the rest


@dataclass
class CallPipeline:
    worker: PipelineWorker
    context: LLMContextAggregatorPair
    answer: AnswerProcessor
    tts: TTSService
    stt: SpeechToText
    record: CallRecord | None = None


def turn_analyzer(
    settings: Settings, models: SpeechModels, call_id: str | None = None, clock: AnswerClock | None = None
) -> SharedSmartTurn:
    return SharedSmartTurn(
        models.turn_session,
        call_id=call_id,
        clock=clock,
        vad_stop_s=VAD_STOP_S,
        speculate_after_s=settings.stt_speculate_after_s,
    )


def stop_strategy(
    settings: Settings,
    models: SpeechModels,
    call_id: str | None = None,
    clock: AnswerClock | None = None,
    answerer: Answerer | None = None,
    analyzer: SharedSmartTurn | None = None,
) -> BaseUserTurnStopStrategy:
    analyzer = analyzer or turn_analyzer(settings, models, call_id, clock)
    if not settings.turn_text_aware:
        return TurnAnalyzerUserTurnStopStrategy(turn_analyzer=analyzer)
    return TextAwareTurnStopStrategy(
        turn_analyzer=analyzer,
        max_wait_s=settings.turn_unfinished_wait_s,
        hold_s=settings.turn_hold_s,
        engine_intent=engine_intent(answerer) if answerer is not None else None,
    )


def build_tts(
    settings: Settings, models: SpeechModels, call_id: str | None = None, clock: AnswerClock | None = None
) -> PiperTTS:
    voice_id = str(models.piper_path)  # the phrase cache's key: the same text in another voice is other audio
    if settings.tts_provider == "openai":
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "unused"
        return CloudTTS(
            models.piper,
            base_url=settings.tts_base_url,
            api_key=key,
            model=settings.tts_cloud_model,
            cloud_voice=settings.tts_cloud_voice,
            timeout_s=settings.tts_timeout_s,
            voice_id=voice_id,
            call_id=call_id,
            clock=clock,
        )
    if settings.tts_provider == "edge":
        return EdgeTTS(
            models.piper,
            settings.edge_voice,
            timeout_s=settings.edge_timeout_s,
            voice_id=voice_id,
            call_id=call_id,
            clock=clock,
        )
    return PiperTTS(models.piper, voice_id=voice_id, call_id=call_id, clock=clock)


def build_stt(
    settings: Settings,
    models: SpeechModels,
    vocabulary: str = "",
    corrector: TranscriptCorrector | None = None,
    call_id: str | None = None,
    clock: AnswerClock | None = None,
) -> SpeechToText:
    """STT_PROVIDER's cloud (if keyed) over STT_LOCAL_ENGINE's local model, then the correction."""
    local = models.moonshine if settings.stt_local_engine == "moonshine" else None
    return SpeechToText(
        models.whisper,
        cloud_stt_config(settings),
        vocabulary,
        corrector,
        local,
        speculate=settings.stt_speculate_after_s > 0,
        call_id=call_id,
        clock=clock,
    )


def build_call_pipeline(
    transport: BaseTransport,
    *,
    settings: Settings,
    models: SpeechModels,
    answerer: Answerer,
    conversation: Conversation,
    on_question: QuestionCallback,
    on_answer: AnswerCallback,
    on_latency: LatencyCallback,
    on_amend: QuestionCallback | None = None,
    vocabulary: str = "",
    corrector: TranscriptCorrector | None = None,
    on_key: KeyCallback | None = None,
    record: CallRecord | None = None,
    call_id: str | None = None,
) -> CallPipeline:
    call_id = call_id or (str(record.session_id) if record is not None else None)
    clock = AnswerClock()  # one answer's model work is due when its caller stopped speaking
    stt = build_stt(settings, models, vocabulary, corrector, call_id, clock)
    analyzer = turn_analyzer(settings, models, call_id, clock)
    listeners: list[PauseListener] = [stt] if stt.speculates else []  # (not a cloud STT)
    if settings.turn_speculate and settings.stt_speculate_after_s > 0:
        listeners.append(analyzer)
    vad = SharedSileroVAD(
        models.vad_session,
        params=VADParams(
            start_secs=settings.vad_start_s, stop_secs=VAD_STOP_S, min_volume=settings.vad_min_volume
        ),
        pause_listener=PauseListeners(*listeners) if listeners else None,
        pause_s=settings.stt_speculate_after_s,
    )
    hold = SpeechHold()
    window = ContinuationWindow(settings.turn_merge_window_s)
    output = transport.output()
    assert isinstance(output, BaseOutputTransport)  # every Pipecat transport's output is one
    hold.install(output)
    strategies = UserTurnStrategies(
        start=start_strategies(
            hold,
            min_speech_s=settings.barge_in_min_speech_s,
            resume_after_s=settings.barge_in_resume_s,
            min_words=settings.barge_in_min_words,
        ),
        stop=[stop_strategy(settings, models, call_id, clock, answerer, analyzer)],
    )
    context = LLMContextAggregatorPair(
        LLMContext(),
        user_params=LLMUserAggregatorParams(
            vad_analyzer=vad,
            user_turn_strategies=strategies,
            user_idle_timeout=settings.idle_prompt_s,
        ),
    )
    tts = build_tts(settings, models, call_id, clock)
    answer = AnswerProcessor(
        answerer,
        conversation,
        on_question,
        record.counting_tokens(on_answer) if record is not None else on_answer,
        max_sentences=settings.spoken_max_sentences,
        max_words=settings.spoken_max_words,
        first_words=settings.tts_first_words,
        window=window,
        on_amend=on_amend,
        # A speculative answer's first phrase is synthesized ahead (Piper: the others pay per call).
        prepare=tts.prepare if tts.prepares_ahead else None,
    )
    pipeline = Pipeline(
        [
            transport.input(),
            *([KeypadProcessor(on_key)] if on_key is not None else []),
            TextInputProcessor(settings.idle_prompt_s),
            stt,
            context.user(),
            answer,
            tts,
            HoldReleaseProcessor(hold),
            transport.output(),
            context.assistant(),
        ]
    )
    worker = PipelineWorker(
        pipeline,
        params=PipelineParams(
            audio_in_sample_rate=AUDIO_IN_RATE,
            audio_out_sample_rate=AUDIO_OUT_RATE,
            enable_metrics=True,
            enable_usage_metrics=True,  # STT seconds and TTS characters, for the call's usage
        ),
        observers=[LatencyObserver(on_latency), *(record.observers if record is not None else [])],
        enable_tracing=tracing_enabled(),
        conversation_id=str(record.session_id) if record is not None else None,
        # Our idle handling prompts and then hangs up; this is only the backstop for a stuck call.
        idle_timeout_secs=settings.idle_hangup_s + 60,
        cancel_on_idle_timeout=True,
        cancel_runner_on_idle_timeout=False,
    )
    return CallPipeline(worker, context, answer, tts, stt, record)
