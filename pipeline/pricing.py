"""What a call cost: its measured usage priced by the table in `pipeline/data/prices.json`.

The table holds the cloud providers' list prices (local models cost 0); the PRICES setting
overrides entries. Which entry applies follows the configured services: STT_PROVIDER with its
model, the LLM_MODEL at Groq (or any OpenAI-compatible server, looked up by model name), and
TTS_PROVIDER.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources
from typing import Any

from config.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Usage:
    """What one call (or text session) used, measured as it happened."""

    audio_in_s: float = 0.0  # caller audio received
    audio_out_s: float = 0.0  # agent audio sent
    stt_s: float = 0.0  # audio seconds sent to speech-to-text
    tts_chars: int = 0  # characters synthesized
    llm_tokens_in: int = 0
    llm_tokens_out: int = 0

    def add(self, other: Usage) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, float | int]:
        return {
            f.name: (round(getattr(self, f.name), 3) if f.type == "float" else getattr(self, f.name))
            for f in fields(self)
        }

    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))


@lru_cache
def _bundled() -> dict[str, dict[str, Any]]:
    raw = resources.files("pipeline").joinpath("data/prices.json").read_text(encoding="utf-8")
    table: dict[str, dict[str, Any]] = {k: v for k, v in json.loads(raw).items() if not k.startswith("_")}
    return table


def price_table(settings: Settings) -> dict[str, dict[str, Any]]:
    table = {section: dict(entries) for section, entries in _bundled().items()}
    for section, entries in settings.prices.items():
        table.setdefault(section, {}).update(entries)
    return table


@dataclass(frozen=True)
class Prices:
    """Per-unit prices for one service configuration (USD)."""

    stt_per_s: float
    llm_in_per_token: float
    llm_out_per_token: float
    tts_per_char: float

    def cost(self, usage: Usage) -> float:
        return (
            usage.stt_s * self.stt_per_s
            + usage.llm_tokens_in * self.llm_in_per_token
            + usage.llm_tokens_out * self.llm_out_per_token
            + usage.tts_chars * self.tts_per_char
        )


_warned: set[str] = set()


def _lookup(section: dict[str, Any], keys: list[str], what: str) -> Any:
    for key in keys:
        if key in section:
            return section[key]
    if keys[0] not in _warned:  # once per process, not once per call
        _warned.add(keys[0])
        log.warning("no price for %s (%s): counted as 0; set it with PRICES", what, " or ".join(keys))
    return None


def prices_for(settings: Settings) -> Prices:
    table = price_table(settings)
    stt: float = 0.0
    cloud_key = {"groq": settings.groq_api_key, "openai": settings.openai_api_key}.get(settings.stt_provider)
    if cloud_key is not None:  # (without its key the provider is not used: STT runs locally)
        default = "whisper-large-v3-turbo" if settings.stt_provider == "groq" else "whisper-1"
        model = settings.stt_cloud_model or default
        per_minute = _lookup(
            table.get("stt_per_minute", {}), [f"{settings.stt_provider}/{model}", model], "STT"
        )
        stt = float(per_minute or 0) / 60
    llm_in = llm_out = 0.0
    if settings.llm_enabled:
        provider = "openai" if settings.llm_base_url else "groq"
        entry = _lookup(
            table.get("llm_per_million_tokens", {}),
            [f"{provider}/{settings.llm_model}", settings.llm_model],
            "LLM",
        )
        if entry:
            llm_in, llm_out = float(entry["input"]) / 1e6, float(entry["output"]) / 1e6
    tts_entry = _lookup(table.get("tts_per_million_chars", {}), [settings.tts_provider], "TTS")
    return Prices(stt, llm_in, llm_out, float(tts_entry or 0) / 1e6)
