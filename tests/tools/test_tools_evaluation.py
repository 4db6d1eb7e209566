from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tools.engine import ResumeEngine
from tools.evaluation import (
    EvalFormatError,
    Expect,
    check_turn,
    engine_answer_fn,
    parse_cases,
    result_item_ids,
    run_cases,
)


@dataclass
class Fake:
    answer: str
    refused: bool = False
    items: list[str] = field(default_factory=list)


def test_parse_cases_and_defaults() -> None:
    cases = parse_cases(
        '{"id": "a", "turns": [{"text": "hi", "expect": {"items_all": ["x"], "mentions": ["Go"]}}]}\n\n'
        '{"id": "b", "turns": [{"text": "joke", "expect": {"refuse": true}}, {"text": "more"}]}\n'
    )
    assert [c.id for c in cases] == ["a", "b"]
    assert cases[0].turns[0].expect == Expect(items_all=("x",), mentions=("Go",))
    assert cases[1].turns[0].expect.refuse and cases[1].turns[1].expect == Expect()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"id": "a", "turns": [{"text": "x"}]}\nnot json', "cases:2: invalid JSON"),
        ('{"id": "a"}', "cases:1: a case needs"),
        ('{"id": "a", "turns": [{"text": 1}]}', "cases:1 turn 1"),
        ('{"id": "a", "turns": [{"text": "x", "expect": {"items": []}}]}', "unknown expect keys"),
        ('{"id": "a", "turns": [{"text": "x", "expect": {"refuse": "yes"}}]}', "refuse must be"),
        ('{"id": "a", "turns": [{"text": "x", "expect": {"mentions": "Go"}}]}', "mentions must be"),
        (
            '{"id": "a", "turns": [{"text": "x"}]}\n{"id": "a", "turns": [{"text": "y"}]}',
            "cases:2: duplicate",
        ),
        ('{"id": "a", "turns": []}', "at least one turn"),
    ],
)
def test_malformed_lines_name_their_line(text: str, message: str) -> None:
    with pytest.raises(EvalFormatError, match=message):
        parse_cases(text, "cases")


def test_check_turn_reasons() -> None:
    expect = Expect(items_all=("a", "b"), items_any=("c", "d"), items_none=("e",), mentions=("Go",))
    assert check_turn(expect, Fake("Used go.", items=["a", "b", "c"])) == []
    fails = check_turn(expect, Fake("nothing", items=["a", "e"]))
    assert len(fails) == 4
    assert check_turn(Expect(refuse=True), Fake("no", refused=True)) == []
    assert check_turn(Expect(refuse=True), Fake("ok")) == ["expected a refusal"]
    assert check_turn(Expect(refuse=True), Fake("no", refused=True, items=["a"])) == [
        "refusal returned items ['a']"
    ]
    assert check_turn(Expect(), Fake("no", refused=True)) == ["refused an on-topic question"]


def test_results_may_be_dicts_or_item_refs() -> None:
    assert result_item_ids({"answer": "x", "items": [{"id": "a"}, "b", {"kind": "x"}]}) == ["a", "b"]
    assert (
        check_turn(Expect(items_all=("a",)), {"answer": "", "refused": False, "items": [{"id": "a"}]}) == []
    )


def test_run_cases_shares_state_within_a_case_and_reports(engine: ResumeEngine) -> None:
    cases = parse_cases(
        '{"id": "ok", "turns": [{"text": "Tell me about TurnKit.", '
        '"expect": {"items_all": ["proj-turnkit"]}},'
        ' {"text": "How many stars does it have?", "expect": {"mentions": ["1,900"]}}]}\n'
        '{"id": "bad", "turns": [{"text": "Tell me a joke", "expect": {"mentions": ["haha"]}}]}\n'
    )
    keys: list[str] = []
    answer = engine_answer_fn(engine)

    def spy(text: str, key: str) -> object:
        keys.append(key)
        return answer(text, key)

    report = run_cases(cases, spy, run_id="t")
    assert keys == ["eval-t-ok", "eval-t-ok", "eval-t-bad"]
    assert (report.passed, report.total) == (1, 2)
    lines = report.render().splitlines()
    assert lines[-1] == "qa: 1/2 cases passed"
    assert any(line.startswith("FAIL bad:") for line in lines)


def test_a_crashing_answer_fn_fails_the_case_not_the_run() -> None:
    cases = parse_cases('{"id": "x", "turns": [{"text": "hi"}]}')

    def boom(text: str, key: str) -> object:
        raise RuntimeError("down")

    report = run_cases(cases, boom)
    assert report.passed == 0 and "RuntimeError: down" in str(report)
