"""The agent's own lines (agent/data/phrases.json) and every fixed phrase worth caching as audio."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import get_args

from pipeline.chunking import speech_chunks
from tools import guardrails
from tools.engine import ResumeEngine
from tools.respond import Speaker


@lru_cache(maxsize=1)
def phrases() -> dict[str, str]:
    raw = resources.files("agent").joinpath("data/phrases.json").read_text(encoding="utf-8")
    return {k: v for k, v in json.loads(raw).items() if not k.startswith("_")}


def phrase(name: str) -> str:
    return phrases()[name]


def refusals(engine: ResumeEngine) -> list[str]:
    """The engine's refusals for this resume (the same text for every caller who trips one)."""
    profile = engine.resume.profile
    possessive = Speaker(engine.resume, None).poss  # type: ignore[arg-type]  # (pronouns only)
    return [guardrails.refusal(reason, profile.name, possessive) for reason in get_args(guardrails.Reason)]


def own_lines(engine: ResumeEngine) -> list[str]:
    """The lines the agent says in its own words, each one TTS request: the greeting first."""
    return [engine.greeting(), *phrases().values()]


def refusal_chunks(engine: ResumeEngine) -> list[str]:
    """The refusals as TTS receives them: cut into chunks like any answer."""
    return [chunk for text in refusals(engine) for chunk in speech_chunks(text)]


def cacheable_phrases(engine: ResumeEngine) -> list[str]:
    return [*own_lines(engine), *refusal_chunks(engine)]
