from __future__ import annotations

import json

from tools.dates import DateRange
from tools.engine import ResumeEngine
from tools.state import ConversationState


def test_state_round_trips_through_json() -> None:
    st = ConversationState(
        turn=3,
        last_intent="technology",
        focus_ids=["proj-turnkit"],
        last_date_range=DateRange(lo=24228, hi=24263, label="between 2019 and 2021"),
    )
    data = st.to_json()
    assert json.loads(data)["focus_ids"] == ["proj-turnkit"]
    assert ConversationState.from_json(data) == st
    assert ConversationState.from_json(None) == ConversationState()
    assert ConversationState.from_json(b"") == ConversationState()


def test_unknown_keys_from_older_versions_are_ignored() -> None:
    assert ConversationState.from_json('{"turn": 2, "obsolete": 1}').turn == 2


def test_engine_state_survives_serialisation_between_turns(engine: ResumeEngine) -> None:
    _, st = engine.answer("Tell me about TurnKit.")
    restored = ConversationState.from_json(st.to_json())
    result, st2 = engine.answer("How many stars does it have?", restored)
    assert "1,900" in result.answer and [i.id for i in result.items] == ["proj-turnkit"]
    assert st2.turn == 2


def test_refused_turn_keeps_the_conversation_focus(engine: ResumeEngine) -> None:
    _, st = engine.answer("Tell me about the SIP bridge")
    refused, st2 = engine.answer("Tell me a joke", st)
    assert refused.refused and st2.focus_ids == st.focus_ids and st2.turn == st.turn + 1
    result, _ = engine.answer("When was that?", st2)
    assert "September 2022" in result.answer
