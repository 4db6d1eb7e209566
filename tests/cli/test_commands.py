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


def test_import_checks_json_resume_and_where_it_went(cli_dir: Path, tmp_path: Path) -> None:
    data = json.loads(sample_resume_json())
    data["experience"][1]["end"] = "2017-01"  # before its start, 2019-06
    bad = tmp_path / "bad-dates.json"
    bad.write_text(json.dumps(data))
    refused = cli(cli_dir, "import-resume", str(bad))
    assert refused.returncode != 0 and "experience.1.end: 2017-01 is before the start date" in refused.stderr

    jr = {
        "basics": {"name": "Ana Lima", "label": "Registered Nurse", "summary": "Nurse on surgical wards."},
        "work": [{"name": "Hospital Central", "position": "Staff Nurse", "startDate": "2018-03-01"}],
        "references": [{"name": "Dr X"}],
    }
    good = tmp_path / "jsonresume.json"
    good.write_text(json.dumps(jr))
    done = cli(cli_dir, "import-resume", str(good))
    assert done.returncode == 0, done.stderr
    assert "Ana Lima (converted from JSON Resume) into embedded Postgres at postgresql://" in done.stderr
    assert "warning: references: not imported" in done.stderr
    # Put the sample back for the other tests of this module.
    sample = tmp_path / "sample.json"
    sample.write_text(sample_resume_json())
    assert cli(cli_dir, "import-resume", str(sample)).returncode == 0


def test_eval_reports_each_set_and_floors(cli_dir: Path, tmp_path: Path) -> None:
    def case(ident: str, text: str, mention: str) -> str:
        return json.dumps({"id": ident, "turns": [{"text": text, "expect": {"mentions": [mention]}}]}) + "\n"

    own = tmp_path / "mine.jsonl"
    own.write_text(case("a", "Where does Sam work?", "Acme") + case("b", "Where does Sam work?", "Nope"))
    resume = {
        "profile": {"name": "Sam Doe", "summary": "Baker."},
        "experience": [{"id": "x", "company": "Acme Bakery", "start": "2020-01", "summary": "Bread."}],
    }
    (tmp_path / "mine_resume.json").write_text(json.dumps(resume))
    served = tmp_path / "served.jsonl"
    served.write_text(case("c", "Which projects used Rust?", "Rust"))
    floors = tmp_path / "floors.json"
    floors.write_text(json.dumps({"mine": 0.5, "served": 1.0}))
    run = cli(cli_dir, "eval", str(own), str(served), "--floors", str(floors))
    lines = run.stdout.strip().splitlines()
    assert "set mine: 1/2 cases passed, 50% (floor 50%)" in lines, run.stdout + run.stderr
    assert "set served: 1/1 cases passed, 100% (floor 100%)" in lines
    assert lines[-1] == "qa: 2/3 cases passed" and run.returncode == 0
    floors.write_text(json.dumps({"mine": 0.9, "served": 1.0}))
    dropped = cli(cli_dir, "eval", str(own), str(served), "--floors", str(floors))
    assert dropped.returncode == 1 and "BELOW" in dropped.stdout
