"""What every call needs from the service, whatever its transport (WebRTC, LiveKit room, phone stream)."""

from __future__ import annotations

from agent.phrases import phrase
from agent.session import CallDeps
from pipeline.models import MODELS
from pipeline.stt import vocabulary_prompt
from pipeline.stt_correction import corrector_for
from signaling.context import AppContext

IDLE_PROMPT = phrase("idle_prompt")
# On the phone (8 kHz, no transcript on screen) shorter answers are easier to follow.
PHONE_MAX_SENTENCES = 2


def greeting(ctx: AppContext) -> str:
    engine = ctx.resume.cached_engine
    try:
        return str(engine.greeting())
    except Exception:  # an engine without a greeting still gets a polite call
        return "Hi! Ask me anything about this resume: projects, skills, or experience."


async def call_deps(ctx: AppContext, *, phone: bool = False) -> CallDeps:
    models = await MODELS.get(ctx.settings)  # instant unless VOICE_PRELOAD=false and this is the first call
    settings = ctx.settings
    if phone:
        settings = settings.model_copy(
            update={"spoken_max_sentences": min(settings.spoken_max_sentences, PHONE_MAX_SENTENCES)}
        )
    return CallDeps(
        settings=settings,
        models=models,
        answerer=ctx.answerer,
        pool=ctx.storage.pool,
        redis=ctx.storage.redis,
        greeting=greeting(ctx),
        idle_prompt=IDLE_PROMPT,
        turns=ctx.storage.turns,
        worker=ctx.process_name,
        vocabulary=vocabulary_prompt(ctx.resume.cached_engine.resume),
        corrector=corrector_for(ctx.resume.cached_engine.resume) if settings.stt_correction else None,
        audio_store=ctx.audio if settings.record_calls else None,
    )
