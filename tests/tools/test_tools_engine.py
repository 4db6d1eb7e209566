from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from tools.engine import EngineResult, ItemRef, ResumeEngine
from tools.evaluation import load_cases
from tools.resume_model import Resume, sample_resume_json
from tools.state import ConversationState

DATA = Path(__file__).parent / "data"
DEV_CASES = Path(__file__).parents[1] / "data" / "dev.jsonl"

_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")


def test_public_api_shapes(engine: ResumeEngine, sample: Resume) -> None:
    assert engine.resume is sample
    result, state = engine.answer("Where does Jordan work right now?")
    assert isinstance(result, EngineResult) and isinstance(state, ConversationState)
    assert result.items == [ItemRef("exp-sonora", "experience", "Sonora Labs")]
    assert result.intent == "current_role" and not result.refused
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.answer = "x"  # type: ignore[misc]
    assert engine.greeting().startswith("Hi, I'm an assistant for Jordan Reyes's resume.")


def test_answer_does_not_mutate_the_given_state(engine: ResumeEngine) -> None:
    st = ConversationState()
    _, st2 = engine.answer("Tell me about TurnKit.", st)
    assert st.turn == 0 and st.focus_ids == [] and st2.focus_ids == ["proj-turnkit"]


def test_small_talk_is_answered_not_refused(engine: ResumeEngine) -> None:
    for text, intent in (
        ("hi", "greeting"),
        ("thanks!", "thanks"),
        ("how are you?", "smalltalk"),
        ("what can you do?", "help"),
        ("bye", "bye"),
    ):
        result = engine.answer(text)[0]
        assert result.intent == intent and not result.refused and result.items == []


@pytest.mark.parametrize(
    ("turns", "expected_ids"),
    [
        (["Tell me about the SIP bridge", "When was that?"], ["proj-sipbridge"]),
        (["Tell me about Telefonia", "What technologies did they use there?"], ["exp-telefonia"]),
        (["Which projects used Kafka?", "What about Airflow?"], ["proj-forecast"]),
        (["What did Jordan build at Sonora Labs?", "Which one used Go?"], ["proj-sipbridge"]),
        (["Tell me about Quanta", "And before that?"], None),
        (["Tell me about Northwind", "And after that?"], ["exp-sonora"]),
        (["Tell me about Cartograph", "tell me more"], ["exp-cartograph"]),
    ],
)
def test_follow_ups(engine: ResumeEngine, turns: list[str], expected_ids: list[str] | None) -> None:
    state = None
    result = None
    for text in turns:
        result, state = engine.answer(text, state)
    assert result is not None
    if expected_ids is not None:
        assert [i.id for i in result.items][: len(expected_ids)] == expected_ids


@pytest.mark.parametrize(
    "text", ["When was that?", "And before that?", "tell me more", "How long were they there?"]
)
def test_follow_up_without_context_asks_instead_of_guessing(engine: ResumeEngine, text: str) -> None:
    result = engine.answer(text)[0]
    assert result.intent == "clarify" and not result.refused and result.items == []


def test_blank_input_invites_a_question(engine: ResumeEngine) -> None:
    result = engine.answer("   ")[0]
    assert not result.refused and result.answer == engine.greeting()


def _all_questions() -> list[tuple[str, list[str]]]:
    files = [DEV_CASES, DATA / "general.jsonl", DATA / "holdout.jsonl", DATA / "holdout2.jsonl"]
    return [(c.id, [t.text for t in c.turns]) for f in files for c in load_cases(f)]


def test_every_number_in_every_answer_is_in_the_resume(
    engine: ResumeEngine, second_engine: ResumeEngine
) -> None:
    extra = [
        ("x", [q])
        for q in (
            "What are Jordan's skills?",
            "Where has Jordan worked?",
            "How big were the teams?",
            "What was Jordan doing in 2018?",
            "What did Jordan do between 2019 and 2021?",
            "Tell me everything about Northwind",
            "What are the key metrics at Sonora?",
        )
    ]
    second_cases = [(c.id, [t.text for t in c.turns]) for c in load_cases(DATA / "second.jsonl")]
    for eng, resume_text, cases in (
        (engine, sample_resume_json(), _all_questions() + extra),
        (second_engine, (DATA / "second_resume.json").read_text(encoding="utf-8"), second_cases),
    ):
        for case_id, turns in cases:
            state = None
            for text in turns:
                result, state = eng.answer(text, state)
                for number in _NUMBER_RE.findall(result.answer):
                    assert number in resume_text, f"{case_id}: {number!r} not in resume: {result.answer!r}"


def test_data_files_exist() -> None:
    assert Path(DEV_CASES).exists()


@pytest.mark.parametrize(
    "text",
    [
        "?",
        "...",
        "🙂🙂",
        "a" * 5000,
        "SELECT * FROM users; DROP TABLE",
        "2018",
        "Go",
        "C",
        "it",
        "and",
        "ok?",
        "Jordan",
        "\n\t",
        "1,900",
        "k8s k8s k8s",
        "ÉCOLE polytechnique",
        "{name}",
        "<script>alert(1)</script>",
        "before after since between 2019 and",
        "the the the",
    ],
)
def test_odd_input_never_raises(engine: ResumeEngine, text: str) -> None:
    result, state = engine.answer(text, ConversationState(focus_ids=["proj-turnkit"], last_item_ids=["x"]))
    assert result.answer and isinstance(state, ConversationState)
    engine.guard(text)


def test_unknown_ids_in_state_are_ignored(engine: ResumeEngine) -> None:
    state = ConversationState(
        focus_ids=["gone"], last_item_ids=["gone", "also-gone"], last_intent="technology"
    )
    result, _ = engine.answer("When was that?", state)
    assert result.intent == "clarify"


@pytest.mark.parametrize(
    ("text", "intent", "ids", "mention"),
    [
        (
            "Which projects didn't use Python?",
            "technology",
            {"proj-sipbridge", "proj-gpsingest", "proj-homelab"},
            "didn't list Python",
        ),
        ("Which projects weren't open source?", "projects", None, "eight projects"),
        ("What has Jordan been working on recently?", "timeline", {"exp-sonora", "proj-turnkit"}, "Recently"),
        ("Did Jordan work at Google?", "unknown", set(), "doesn't list Google"),
        ("Has Jordan worked at scale?", None, None, ""),
        ("Does Jordan have experience with on-call?", "search", {"exp-cartograph"}, "On-call lead"),
        ("What's Jordan's most impressive project?", "projects", None, "doesn't rank"),
        ("Does Jordan have a driver's license?", "unknown", set(), "doesn't say"),
        (
            "Which projects used both Python and PyTorch?",
            "technology",
            {"proj-turnkit", "proj-forecast"},
            "together",
        ),
        ("Does Jordan have a PhD?", "education", {"edu-msc", "edu-bsc"}, "doesn't list a PhD"),
        ("Did Jordan use Rust at work?", "technology", {"exp-sonora"}, "Sonora"),
        ("Has Jordan built anything with LLMs?", "technology", None, "LLM"),
    ],
)
def test_behaviours(
    engine: ResumeEngine, text: str, intent: str | None, ids: set[str] | None, mention: str
) -> None:
    result = engine.answer(text)[0]
    assert not result.refused
    if intent is not None:
        assert result.intent == intent
    if ids is not None:
        got = {i.id for i in result.items}
        assert got == ids if ids == set() else ids <= got
    assert mention in result.answer
    assert "doesn't list Scale" not in result.answer
