"""The resume-agent command as a user runs it: a separate process on the same DATA_DIR."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tools.resume_model import sample_resume_json

ROOT = Path(__file__).resolve().parents[2]


def cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATA_DIR": str(data_dir), "LOG_LEVEL": "WARNING"}
    for name in ("DATABASE_URL", "REDIS_URL"):
        if name in os.environ:
            env[name] = os.environ[name]
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture(scope="module")
def cli_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli-data")


def test_import_good_resume_then_bad_ones_change_nothing(cli_dir: Path, tmp_path: Path) -> None:
    data = json.loads(sample_resume_json())
    data["profile"]["name"] = "Alex Imported"
    good = tmp_path / "good.json"
    good.write_text(json.dumps(data))
    done = cli(cli_dir, "import-resume", str(good))
    assert done.returncode == 0, done.stderr
    assert "Alex Imported" in done.stderr

    data["projects"][0]["start"] = "last spring"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    refused = cli(cli_dir, "import-resume", str(bad))
    assert refused.returncode != 0
    assert "projects.0.start" in refused.stderr

    broken = tmp_path / "broken.json"
    broken.write_text('{"profile": {"name": "x"},')
    refused = cli(cli_dir, "import-resume", str(broken))
    assert refused.returncode != 0 and "not valid JSON" in refused.stderr and "line 1" in refused.stderr

    missing = cli(cli_dir, "import-resume", str(tmp_path / "nope.json"))
    assert missing.returncode != 0 and "cannot read" in missing.stderr

    # The good import is still what the service answers from.
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        json.dumps(
            {
                "id": "who",
                "turns": [
                    {"text": "What's their email?", "expect": {"mentions": ["jordan.reyes@example.com"]}}
                ],
            }
        )
        + "\n"
    )
    evaluated = cli(cli_dir, "eval", str(cases))
    assert evaluated.stdout.strip().splitlines()[-1] == "qa: 1/1 cases passed", (
        evaluated.stdout + evaluated.stderr
    )


def test_keys_create_list_revoke(cli_dir: Path) -> None:
    created = cli(cli_dir, "keys", "create", "--label", "laptop")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    assert key.startswith("ra_") and len(key) > 30
    listed = cli(cli_dir, "keys", "list")
    prefix = key[:11]
    assert prefix in listed.stdout and "active" in listed.stdout and "laptop" in listed.stdout
    assert key not in listed.stdout  # shown once, never again
    assert cli(cli_dir, "keys", "revoke", prefix).returncode == 0
    assert "revoked" in cli(cli_dir, "keys", "list").stdout
    again = cli(cli_dir, "keys", "revoke", prefix)
    assert again.returncode == 1 and "no active key" in again.stderr


def test_eval_reports_failures_and_bad_files(cli_dir: Path, tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        json.dumps(
            {
                "id": "ok",
                "turns": [
                    {"text": "Which projects used Rust?", "expect": {"items_all": ["proj-rust-jitter"]}}
                ],
            }
        )
        + "\n"
        + json.dumps(
            {
                "id": "wrong",
                "turns": [{"text": "Which projects used Rust?", "expect": {"mentions": ["COBOL"]}}],
            }
        )
        + "\n"
    )
    run = cli(cli_dir, "eval", str(cases))
    lines = run.stdout.strip().splitlines()
    assert lines[-1] == "qa: 1/2 cases passed"
    assert any(line.startswith("FAIL wrong") and "COBOL" in line for line in lines)
    assert run.returncode == 1
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "turns": [}\n')
    broken = cli(cli_dir, "eval", str(bad))
    assert broken.returncode == 2 and "bad.jsonl:1:" in broken.stderr
