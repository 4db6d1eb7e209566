"""Pricing: local models cost nothing; cloud services by the table, overridable by PRICES."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from config.settings import Settings
from pipeline.pricing import Usage, prices_for

USAGE = Usage(
    audio_in_s=60, audio_out_s=30, stt_s=30, tts_chars=1000, llm_tokens_in=10_000, llm_tokens_out=500
)


def test_all_local_costs_nothing(make_settings: Callable[..., Settings]) -> None:
    assert prices_for(make_settings()).cost(USAGE) == 0.0


def test_groq_stt_and_llm_are_priced_from_the_table(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(groq_api_key="gsk-x", stt_provider="groq")
    cost = prices_for(settings).cost(USAGE)
    # whisper-large-v3-turbo $0.04/h, llama-3.3-70b-versatile $0.59/$0.79 per million tokens.
    assert cost == pytest.approx(30 * 0.000667 / 60 + 10_000 * 0.59e-6 + 500 * 0.79e-6)


def test_a_provider_without_its_key_is_not_priced(make_settings: Callable[..., Settings]) -> None:
    # STT_PROVIDER=openai without OPENAI_API_KEY transcribes locally: nothing to pay for it.
    assert prices_for(make_settings(stt_provider="openai")).stt_per_s == 0.0


def test_prices_setting_overrides_and_adds_entries(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(
        llm_base_url="http://127.0.0.1:9/v1",
        llm_model="local-llama",
        tts_provider="edge",
        prices={
            "llm_per_million_tokens": {"local-llama": {"input": 1, "output": 2}},
            "tts_per_million_chars": {"edge": 16},
        },
    )
    prices = prices_for(settings)
    assert prices.cost(USAGE) == pytest.approx(10_000e-6 + 500 * 2e-6 + 1000 * 16e-6)
    assert (
        prices_for(make_settings(llm_base_url="http://127.0.0.1:9/v1", llm_model="unpriced")).llm_in_per_token
        == 0
    )


def test_prices_read_from_the_environment_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRICES", '{"stt_per_minute": {"local": 0.5}}')
    assert Settings(_env_file=None).prices == {"stt_per_minute": {"local": 0.5}}  # type: ignore[call-arg]
