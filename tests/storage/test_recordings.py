"""Linking recordings to turns by what was said: in order, each recording once, partial answers too."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.conversations import Turn
from storage.recordings import Recording, link_recordings

NOW = datetime.now(UTC)


def _turn(i: int, role: str, text: str) -> Turn:
    return Turn(id=i, role=role, text=text, created_at=NOW, latency_ms=None, latency=None)


def _rec(i: int, role: str, text: str) -> Recording:
    return Recording(id=i, role=role, text=text, key=f"k{i}", duration_s=1.0, created_at=NOW)


def test_links_by_text_in_order_including_an_interrupted_answer() -> None:
    turns = [
        _turn(1, "assistant", "Hi, I'm an assistant."),
        _turn(2, "user", "Which projects used Rust?"),
        _turn(3, "assistant", "Jordan used Rust in two projects. The first was jitterbuf."),  # cut off
        _turn(4, "user", "Where did Jordan study?"),  # typed: no audio
        _turn(5, "assistant", "In Madrid."),
        _turn(6, "user", "which projects used rust"),  # asked again, out loud
    ]
    audio = [
        _rec(10, "assistant", "Hi, I'm an assistant."),
        _rec(11, "user", "Which projects used Rust?"),
        _rec(12, "assistant", "Jordan used Rust in two projects."),
        _rec(13, "assistant", "In Madrid."),
        _rec(14, "user", "Which projects used Rust."),
    ]
    linked = {turn: rec.key for turn, rec in link_recordings(turns, audio).items()}
    assert linked == {1: "k10", 2: "k11", 3: "k12", 5: "k13", 6: "k14"}


def test_a_caller_turn_needs_its_whole_transcript() -> None:
    turns = [_turn(1, "user", "Which projects used Rust and Go?")]
    assert link_recordings(turns, [_rec(2, "user", "Which projects used Rust")]) == {}
