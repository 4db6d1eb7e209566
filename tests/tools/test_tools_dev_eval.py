"""The 28 dev cases must all pass in-process."""

from __future__ import annotations

from pathlib import Path

from tools.engine import ResumeEngine
from tools.evaluation import engine_answer_fn, load_cases, run_cases

DEV = Path(__file__).parents[1] / "data" / "dev.jsonl"


def test_dev_eval_passes_in_process(engine: ResumeEngine) -> None:
    cases = load_cases(DEV)
    assert len(cases) == 28
    report = run_cases(cases, engine_answer_fn(engine))
    assert report.passed == report.total, report.render()
    assert report.render().splitlines()[-1] == "qa: 28/28 cases passed"
