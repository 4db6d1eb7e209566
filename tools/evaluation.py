"""Pure evaluation harness for Q&A cases (jsonl), usable in-process or against a running service.

A case passes when, for every turn: all `items_all` ids are returned, at least one `items_any` id is,
no `items_none` id is, every `mentions` string is in the answer (case-insensitive), and a `refuse`
turn is refused with no items (a turn not marked `refuse` must not be refused).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.state import ConversationState

_EXPECT_KEYS = frozenset({"items_all", "items_any", "items_none", "mentions", "refuse"})


class EvalFormatError(ValueError):
    """A malformed case file; the message names the source and line."""


@dataclass(frozen=True)
class Expect:
    items_all: tuple[str, ...] = ()
    items_any: tuple[str, ...] = ()
    items_none: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    refuse: bool = False


@dataclass(frozen=True)
class Turn:
    text: str
    expect: Expect


@dataclass(frozen=True)
class Case:
    id: str
    turns: tuple[Turn, ...]


def _strings(value: Any, where: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise EvalFormatError(f"{where}: expect.{key} must be a list of strings")
    return tuple(value)


def _parse_case(obj: Any, where: str) -> Case:
    if (
        not isinstance(obj, dict)
        or not isinstance(obj.get("id"), str)
        or not isinstance(obj.get("turns"), list)
    ):
        raise EvalFormatError(f"{where}: a case needs a string 'id' and a list 'turns'")
    turns = []
    for n, t in enumerate(obj["turns"], 1):
        tw = f"{where} turn {n}"
        if not isinstance(t, dict) or not isinstance(t.get("text"), str):
            raise EvalFormatError(f"{tw}: a turn needs a string 'text'")
        exp = t.get("expect", {})
        if not isinstance(exp, dict):
            raise EvalFormatError(f"{tw}: 'expect' must be an object")
        unknown = set(exp) - _EXPECT_KEYS
        if unknown:
            raise EvalFormatError(f"{tw}: unknown expect keys {sorted(unknown)}")
        refuse = exp.get("refuse", False)
        if not isinstance(refuse, bool):
            raise EvalFormatError(f"{tw}: expect.refuse must be true or false")
        kw = {
            k: _strings(exp[k], tw, k)
            for k in ("items_all", "items_any", "items_none", "mentions")
            if k in exp
        }
        turns.append(Turn(t["text"], Expect(refuse=refuse, **kw)))
    if not turns:
        raise EvalFormatError(f"{where}: a case needs at least one turn")
    return Case(obj["id"], tuple(turns))


def parse_cases(text: str, source: str = "<cases>") -> list[Case]:
    cases: list[Case] = []
    seen: set[str] = set()
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        where = f"{source}:{lineno}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalFormatError(f"{where}: invalid JSON ({exc.msg})") from exc
        case = _parse_case(obj, where)
        if case.id in seen:
            raise EvalFormatError(f"{where}: duplicate case id {case.id!r}")
        seen.add(case.id)
        cases.append(case)
    return cases


def load_cases(path: str | Path) -> list[Case]:
    p = Path(path)
    return parse_cases(p.read_text(encoding="utf-8"), str(p))


def _get(result: Any, name: str) -> Any:
    return result.get(name) if isinstance(result, dict) else getattr(result, name, None)


def result_item_ids(result: Any) -> list[str]:
    """Item ids from an EngineResult, a dict, or a list of ItemRef / dicts / strings."""
    out = []
    for it in _get(result, "items") or []:
        ident = it if isinstance(it, str) else _get(it, "id")
        if isinstance(ident, str):
            out.append(ident)
    return out


def check_turn(expect: Expect, result: Any) -> list[str]:
    """Failure reasons for one turn; empty when it passes."""
    answer = str(_get(result, "answer") or "")
    refused = bool(_get(result, "refused"))
    ids = set(result_item_ids(result))
    fails: list[str] = []
    if expect.refuse:
        if not refused:
            fails.append("expected a refusal")
        if ids:
            fails.append(f"refusal returned items {sorted(ids)}")
        return fails
    if refused:
        fails.append("refused an on-topic question")
    missing = [i for i in expect.items_all if i not in ids]
    if missing:
        fails.append(f"missing items {missing}")
    if expect.items_any and not ids.intersection(expect.items_any):
        fails.append(f"none of {list(expect.items_any)} returned")
    unwanted = sorted(ids.intersection(expect.items_none))
    if unwanted:
        fails.append(f"unwanted items {unwanted}")
    low = answer.lower()
    absent = [m for m in expect.mentions if m.lower() not in low]
    if absent:
        fails.append(f"answer lacks {absent}")
    return fails


@dataclass
class CaseResult:
    case_id: str
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass
class Report:
    results: list[CaseResult]

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def total(self) -> int:
        return len(self.results)

    def render(self) -> str:
        lines = [f"FAIL {r.case_id}: {f}" for r in self.results for f in r.failures]
        lines.append(f"qa: {self.passed}/{self.total} cases passed")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


AnswerFn = Callable[[str, str], Any]


def run_cases(cases: Iterable[Case], answer_fn: AnswerFn, run_id: str | None = None) -> Report:
    """Ask every turn through `answer_fn(text, session_key)`; turns of one case share a session key."""
    run = run_id or uuid.uuid4().hex[:8]
    results = []
    for case in cases:
        res = CaseResult(case.id)
        key = f"eval-{run}-{case.id}"
        for n, turn in enumerate(case.turns, 1):
            try:
                result = answer_fn(turn.text, key)
            except Exception as exc:  # noqa: BLE001 - a crashing turn is a failed turn, not a crashed run
                res.failures.append(f"turn {n} {turn.text!r}: error {type(exc).__name__}: {exc}")
                break
            for f in check_turn(turn.expect, result):
                res.failures.append(f"turn {n} {turn.text!r}: {f} -- answer: {_get(result, 'answer')!r}")
        results.append(res)
    return Report(results)


def engine_answer_fn(engine: Any) -> AnswerFn:
    """In-process adapter: keeps one ConversationState per session key."""
    states: dict[str, ConversationState] = {}

    def answer(text: str, session_key: str) -> Any:
        result, states[session_key] = engine.answer(text, states.get(session_key))
        return result

    return answer
