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


def cacheable_phrases(engine: ResumeEngine) -> list[str]:
    """Every text TTS receives for a fixed line: whole lines (said as one TTS request) and the
    chunks an answer-shaped line (a refusal) is cut into."""
    whole = [engine.greeting(), *phrases().values()]
    chunked = [chunk for text in refusals(engine) for chunk in speech_chunks(text)]
    return [*whole, *chunked]
