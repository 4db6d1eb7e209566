"""Resumes of other professions, each with its own fixed question set and a floor a change may not drop below.

own/: written by us while building the mechanisms (product designer, physiotherapist, construction
manager). professions/: written by someone else before the engine was tuned on them (nurse,
teacher, lawyer, data scientist, electrician); their first-run and final scores are in
professions/SCORES.md. unseen/: five more professions (chef, accountant, airline pilot, pharmacist,
marketing manager) written and committed before the engine was first run on them, scores in
unseen/SCORES.md; unseen2/: a second blind round the same way (veterinary surgeon, bridge engineer,
investigative journalist, head of people, children's social worker), scores in unseen2/SCORES.md;
unseen3/: a third (dentist, architect, head of distribution, principal cellist, fire captain), scores
in unseen3/SCORES.md.
floors.json holds each set's minimum share of passing cases.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.engine import ResumeEngine
from tools.evaluation import engine_answer_fn, load_cases, run_cases
from tools.resume_model import Resume

DATA = Path(__file__).parent / "data"
FLOORS: dict[str, float] = json.loads((DATA / "floors.json").read_text(encoding="utf-8"))
SETS = sorted(
    [
        *DATA.glob("own/*.jsonl"),
        *DATA.glob("professions/*.jsonl"),
        *DATA.glob("unseen/*.jsonl"),
        *DATA.glob("unseen2/*.jsonl"),
        *DATA.glob("unseen3/*.jsonl"),
    ]
)


def test_every_set_has_a_floor_and_enough_cases() -> None:
    assert {s.stem for s in SETS} == set(FLOORS)
    assert sum(1 for s in SETS if s.parent.name == "professions") >= 5
    assert sum(1 for s in SETS if s.parent.name == "unseen") >= 5
    assert sum(1 for s in SETS if s.parent.name == "unseen2") >= 5
    assert sum(1 for s in SETS if s.parent.name == "unseen3") >= 5
    for s in SETS:
        assert len(load_cases(s)) >= 20, s


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.stem)
def test_set_keeps_its_floor(path: Path) -> None:
    resume_file = path.with_name(f"{path.stem}_resume.json")
    resume = Resume.model_validate_json(resume_file.read_text(encoding="utf-8"))
    report = run_cases(load_cases(path), engine_answer_fn(ResumeEngine(resume)))
    share = report.passed / report.total
    assert share >= FLOORS[path.stem], f"{path.stem}: {report.passed}/{report.total}\n{report.render()}"
