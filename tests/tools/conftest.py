"""Shared fixtures: the sample resume's engine and a second, differently shaped resume's engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.engine import ResumeEngine
from tools.resume_model import Resume, load_sample_resume

DATA = Path(__file__).parent / "data"
DEV_CASES = Path(__file__).parents[1] / "data" / "dev.jsonl"


@pytest.fixture(scope="session")
def sample() -> Resume:
    return load_sample_resume()


@pytest.fixture(scope="session")
def engine(sample: Resume) -> ResumeEngine:
    return ResumeEngine(sample)


@pytest.fixture(scope="session")
def second() -> Resume:
    return Resume.model_validate_json((DATA / "second_resume.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def second_engine(second: Resume) -> ResumeEngine:
    return ResumeEngine(second)
