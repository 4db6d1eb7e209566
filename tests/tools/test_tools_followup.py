from __future__ import annotations

import pytest

from tools.followup import Cue, cue


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("which technologies did they use there?", Cue.REF),
        ("how many stars does it have?", Cue.REF),
        ("when was that?", Cue.REF),
        ("how long?", Cue.REF),
        ("what about scala?", Cue.WHAT_ABOUT),
        ("and what about 2018", Cue.WHAT_ABOUT),
        ("which one used go?", Cue.WHICH),
        ("which of those was earliest", Cue.WHICH),
        ("tell me more", Cue.MORE),
        ("what does xperson do", Cue.NONE),
        ("where does xperson work right now?", Cue.NONE),
    ],
)
def test_cues(text: str, expected: Cue) -> None:
    assert cue(text) is expected
