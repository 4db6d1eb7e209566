"""The image, checked statically (no Docker engine runs here): hadolint, non-root user, health check,
the one install path, and a build context that carries no local state or secrets."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def _pattern(rule: str) -> re.Pattern[str]:
    """A .dockerignore rule as a regex over root-relative paths (Go filepath.Match, plus `**`)."""
    out, i = "", 0
    while i < len(rule):
        if rule.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif rule.startswith("**", i):
            out, i = out + ".*", i + 2
        elif rule[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif rule[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(rule[i]), i + 1
    return re.compile(out + "(?:/.*)?")  # a matching directory excludes everything under it


def excluded(path: str, rules: list[str]) -> bool:
    verdict = False
    for rule in rules:
        negate = rule.startswith("!")
        if _pattern(rule.lstrip("!").strip("/")).fullmatch(path):
            verdict = not negate
    return verdict


def dockerignore() -> list[str]:
    text = (ROOT / ".dockerignore").read_text()
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]


@pytest.mark.skipif(
    shutil.which("hadolint", path=str(Path(sys.executable).parent)) is None, reason="no hadolint"
)
def test_hadolint_passes() -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    result = subprocess.run([str(hadolint), "Dockerfile"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_runs_as_a_non_root_user_with_a_health_check() -> None:
    steps = instructions()
    users = [args for word, args in steps if word == "USER"]
    assert users, "no USER: the image would run as root"
    assert users[-1].split(":")[0] not in ("root", "0")
    last_user = max(i for i, (word, _) in enumerate(steps) if word == "USER")
    runs_after = [args for word, args in steps[last_user:] if word == "RUN"]
    assert runs_after and all("setup.sh" in r for r in runs_after)  # the install runs as that user
    health = [args for word, args in steps if word == "HEALTHCHECK"]
    assert len(health) == 1 and "/health" in health[0]
    assert steps[-1][0] == "CMD" and "serve" in steps[-1][1]


def test_installs_through_the_locked_setup_script() -> None:
    runs = " ".join(args for word, args in instructions() if word == "RUN")
    assert "scripts/setup.sh" in runs and "pip install" not in runs


@pytest.mark.parametrize(
    "path",
    [
        "data/secret_key",
        "data/pg/postgresql.conf",
        "data/audio/call.wav",
        ".env",
        ".env.production",
        ".venv/bin/python",
        ".git/config",
        "signaling/__pycache__/app.cpython-311.pyc",
        "certs/server.key",
        "resume_agent.egg-info/PKG-INFO",
        "tests/conftest.py",
    ],
)
def test_the_build_context_leaves_out_local_state_and_secrets(path: str) -> None:
    assert excluded(path, dockerignore()), path


def test_the_build_context_keeps_what_the_image_needs() -> None:
    rules = dockerignore()
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    needed = [
        p for p in tracked.stdout.split() if not p.startswith(("tests/", ".ci/")) and p != ".dockerignore"
    ]
    assert "requirements.lock" in needed and "tools/data/sample_resume.json" in needed
    dropped = [p for p in needed if excluded(p, rules)]
    assert dropped == [], dropped


def test_the_matcher_itself() -> None:
    assert excluded("a/b/__pycache__/x.pyc", ["**/__pycache__"])
    assert not excluded("tools/data/x.json", ["data"])  # root-relative: only ./data
    assert not excluded("keep.key", ["**/*.key", "!keep.key"])
