"""Everything a request handler needs, built once at start-up and kept on `app.state.ctx`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from piper import PiperVoice

from agent.calls import CallManager
from agent.memory import freeze_startup_objects, unfreeze
from agent.phrases import cacheable_phrases, own_lines, refusal_chunks
from config.settings import Settings
from pipeline import internals
from pipeline.answer.answerer import Answerer
from pipeline.answer.llm import GROQ_BASE_URL, LLMAnswerer, LLMConfig
from pipeline.answer.resume_source import ResumeSource
from pipeline.logs import route_pipecat_logs
from pipeline.models import MODELS
from pipeline.phrase_cache import configure_phrase_cache, get_phrase_cache
from pipeline.scheduler import configure_scheduler
from pipeline.tracing import setup_tracing, shutdown_tracing
from pipeline.tts import prewarm_phrases
from signaling import log_redaction
from signaling.call_caps import CallCaps
from signaling.liveness import keep_alive, process_name
from signaling.metrics import RESUME_VERSION
from signaling.retention import keep_retention
from signaling.security.owner_keys import OwnerKeyCache
from storage.audio import LocalAudioStore, S3AudioStore, open_audio_store
from storage.connect import Storage, open_storage
from storage.content import ensure_owner
from storage.rate_limit import RateLimiter
from tools.engine import ResumeEngine
from tools.resume_model import Resume, load_sample_resume

log = logging.getLogger(__name__)


@dataclass
class AppContext:
    settings: Settings
    storage: Storage
    owner_id: int
    secret: str
    limiter: RateLimiter
    resume: ResumeSource
    answerer: Answerer
    calls: CallManager  # live WebRTC calls (signaling/routes/webrtc.py)
    owner_keys: OwnerKeyCache  # verified owner API keys, cached briefly (signaling/deps.py)
    caps: CallCaps  # what one caller may hold at once (signaling/call_caps.py)
    audio: LocalAudioStore | S3AudioStore  # call recordings (signaling/retention.py keeps them in time)
    process_name: str = field(default_factory=process_name)  # its heartbeat and job consumer name
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.calls.close()  # calls write their last turns before storage goes away
        await self.storage.close()
        shutdown_tracing()
        unfreeze()


async def _prewarm_quietly(voice: PiperVoice, voice_id: str, phrases: list[str]) -> None:
    await prewarm_phrases(voice, voice_id, phrases)


def default_resume(settings: Settings) -> Resume:
    if settings.resume_file is not None:
        return Resume.model_validate_json(settings.resume_file.read_text(encoding="utf-8"))
    return load_sample_resume()


def build_llm(settings: Settings) -> LLMAnswerer | None:
    if settings.llm_base_url:
        key = settings.openai_api_key or settings.groq_api_key
        base_url = settings.llm_base_url
    elif settings.groq_api_key:
        key, base_url = settings.groq_api_key, GROQ_BASE_URL
    else:
        return None
    return LLMAnswerer(
        LLMConfig(
            base_url=base_url,
            api_key=key.get_secret_value() if key else "unused",
            model=settings.llm_model,
            timeout_s=settings.llm_timeout_s,
        )
    )


async def build_context(settings: Settings) -> AppContext:
    secret = settings.resolved_secret_key()
    log_redaction.install(settings, secret)  # before anything can log a secret
    internals.require()  # an upgrade that changed what our patches rely on stops here, not mid-call
    storage = await open_storage(settings)
    try:
        async with storage.pool.acquire() as conn:
            owner_id, resume, version = await ensure_owner(conn, default_resume(settings))
        engine = await asyncio.to_thread(ResumeEngine, resume)
        source = ResumeSource(storage.pool, owner_id, engine, version)
        RESUME_VERSION.set(version)
        route_pipecat_logs(settings.log_level)
        setup_tracing(settings)
        audio = open_audio_store(settings)
        if isinstance(audio, S3AudioStore):
            try:
                await audio.ensure_bucket()
                await audio.ensure_lifecycle(settings.audio_retention_h)
            except Exception:  # calls still work; their recordings fail (and are counted) until S3 does
                log.exception("S3 bucket %s is not ready: recordings will fail", settings.s3_bucket)
        configure_scheduler(
            settings.inference_workers,
            max_queue=settings.inference_queue_max,
            niceness=settings.model_niceness,
        )
        configure_phrase_cache(settings.phrase_cache_mb)
        if settings.voice_preload:
            await MODELS.get(settings)  # once per process: no call ever waits for a model load
        answerer = Answerer(
            source, build_llm(settings), settings.llm_timeout_s, storage.redis, settings.query_cache_ttl_s
        )
        ctx = AppContext(
            settings=settings,
            storage=storage,
            owner_id=owner_id,
            secret=secret,
            limiter=RateLimiter(storage.redis),
            resume=source,
            answerer=answerer,
            calls=CallManager(settings.max_calls, settings.load_threshold),
            owner_keys=OwnerKeyCache(storage.pool, settings.owner_key_cache_s),
            caps=CallCaps.from_settings(settings),
            audio=audio,
        )
        ctx._tasks.append(
            asyncio.create_task(
                keep_retention(audio, storage.pool, settings.audio_retention_h), name="audio-retention"
            )
        )
        ctx._tasks.append(
            asyncio.create_task(keep_alive(ctx.process_name, storage, ctx.calls), name="heartbeat")
        )
        if MODELS.loaded is not None and settings.phrase_cache_mb > 0:
            # Before the service is ready: the first callers of a burst all hear a cached greeting
            # (measured: a greeting synthesized per call waited 2 s behind another's).
            # Refusals are rarer: they are prewarmed behind any call's work, after start-up.
            models = MODELS.loaded
            voice_id = str(models.piper_path)
            get_phrase_cache().register(cacheable_phrases(engine))
            await prewarm_phrases(models.piper, voice_id, own_lines(engine))
            ctx._tasks.append(
                asyncio.create_task(
                    _prewarm_quietly(models.piper, voice_id, refusal_chunks(engine)), name="phrase-prewarm"
                )
            )
        freeze_startup_objects()  # so the collection after each call is cheap (agent/memory.py)
        return ctx
    except BaseException:
        await storage.close()
        raise
