"""Typed-question messages the call accepts on its data channel."""

from __future__ import annotations

import pytest

from pipeline.text_input import MAX_TEXT_CHARS, parse_text_message


@pytest.mark.parametrize(
    "message, expected",
    [
        ({"type": "text", "text": "Any awards?"}, ("Any awards?", False)),
        ({"type": "text", "text": "  Any\n awards? ", "mute": True}, ("Any awards?", True)),
        ({"id": "m1", "timestamp": 1, "message": "Where do they work?"}, ("Where do they work?", False)),
        ({"type": "text", "text": ""}, None),
        ({"type": "text", "text": 3}, None),
        ({"type": "ping"}, None),
        ({"type": "other", "message": "hi"}, None),
        ("text", None),
        (None, None),
    ],
)
def test_parse_text_message(message: object, expected: tuple[str, bool] | None) -> None:
    assert parse_text_message(message) == expected


def test_long_text_is_cut_to_the_limit() -> None:
    parsed = parse_text_message({"type": "text", "text": "a" * (MAX_TEXT_CHARS + 50)})
    assert parsed is not None and len(parsed[0]) == MAX_TEXT_CHARS
