"""The start-up guard over library internals our patches rely on trips when they change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiortc import rtcrtpsender
from pipecat.audio.vad import silero

from config.settings import Settings
from pipeline import internals
from signaling.context import build_context


def test_the_installed_versions_match_what_the_patches_were_checked_against() -> None:
    assert internals.changed() == []
    internals.require()


def test_a_changed_private_method_stops_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    async def rewritten(self: Any, codec: Any) -> None:  # what an aiortc upgrade might ship
        return None

    monkeypatch.setattr(rtcrtpsender.RTCRtpSender, "_next_encoded_frame", rewritten)
    with pytest.raises(internals.InternalsChanged, match="RTCRtpSender._next_encoded_frame"):
        internals.require()


def test_a_removed_internal_is_reported_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(silero, "SileroOnnxModel")
    assert internals.fingerprint("pipecat.audio.vad.silero:SileroOnnxModel.__init__") == "missing"
    assert any("SileroOnnxModel" in name for name in internals.changed())


async def test_the_service_refuses_to_start_rather_than_break_mid_call(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def changed_init(self: Any, *args: Any, **kwargs: Any) -> None:
        self.session = None

    monkeypatch.setattr(silero.SileroOnnxModel, "__init__", changed_init)
    settings = Settings(data_dir=tmp_path, voice_preload=False)
    with pytest.raises(internals.InternalsChanged, match="SileroOnnxModel"):
        await build_context(settings)
    assert not (tmp_path / "pg").exists()  # stopped before any server was started


def test_our_own_installed_patches_do_not_count_as_a_change() -> None:
    from agent import webrtc_tuning

    webrtc_tuning.apply()
    assert internals.changed() == []
