"""`resume-agent eval SET.jsonl [SET2.jsonl ...]`: replay Q&A sets and report each set's score.

A set with a resume of its own beside it (`NAME_resume.json`, `NAME.resume.json` or `NAME.json`
next to `NAME.jsonl`, or `--resume FILE`) is asked in-process of an engine built on that resume,
since the service answers only its owner's resume. Other sets go through POST /api/query: without
--url the service is started in this process on a free loopback port (same settings, same
embedded storage), so those sets exercise the real endpoint.

`--floors FILE` (JSON: {"set name": minimum share passed}) makes the exit code follow the floors
instead of requiring every case to pass; CI uses it so that a drop in any set fails.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import httpx

from config.settings import get_settings
from tools.evaluation import Case, EvalFormatError, Report, engine_answer_fn, load_cases, run_cases
from tools.resume_import import ResumeImportError, import_resume


def add_parser(sub: Any) -> None:
    p = sub.add_parser("eval", help="replay Q&A sets and report each set's score and failures")
    p.add_argument("files", type=Path, nargs="+", metavar="FILE")
    p.add_argument("--url", help="a running service (default: start one in-process)")
    p.add_argument("--resume", type=Path, help="answer every set from this resume, in-process")
    p.add_argument("--floors", type=Path, help="JSON of minimum pass shares per set name")
    p.set_defaults(func=run)


class HttpAnswers:
    """answer_fn for the eval harness: one service session per case, follow-ups with its token."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.sessions: dict[str, tuple[str, str]] = {}

    def __call__(self, text: str, case_key: str) -> dict[str, Any]:
        payload: dict[str, Any] = {"text": text}
        headers = {}
        if case_key in self.sessions:
            session_id, token = self.sessions[case_key]
            payload["session_id"] = session_id
            headers["Authorization"] = f"Bearer {token}"
        response = self.client.post("/api/query", json=payload, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code}: {response.text[:200]}")
        body: dict[str, Any] = response.json()
        self.sessions[case_key] = (body["session_id"], body["session_token"])
        return body


def resume_beside(path: Path) -> Path | None:
    """The resume a set is written for, if one sits next to it."""
    for name in (f"{path.stem}_resume.json", f"{path.stem}.resume.json", f"{path.stem}.json"):
        candidate = path.with_name(name)
        if candidate.is_file():
            return candidate
    return None


def _in_process(cases: list[Case], resume_path: Path) -> Report:
    from tools.engine import ResumeEngine  # only what an in-process set needs

    imported = import_resume(json.loads(resume_path.read_text(encoding="utf-8")))
    return run_cases(cases, engine_answer_fn(ResumeEngine(imported.resume)))


def _over_http(sets: list[tuple[str, list[Case]]], url: str | None) -> list[Report]:
    if not sets:
        return []

    def replay(base: str) -> list[Report]:
        with httpx.Client(base_url=base, timeout=30) as client:
            return [run_cases(cases, HttpAnswers(client)) for _, cases in sets]

    if url:
        return replay(url)
    from signaling.background_server import live_server  # the whole service: only when needed

    # Rate limits would throttle a long replay from one address; the eval is the owner's own traffic.
    settings = get_settings().model_copy(update={"rate_limit_enabled": False, "voice_preload": False})
    with live_server(settings) as server:
        return replay(server.url)


def evaluate(files: list[Path], url: str | None, resume: Path | None, floors: dict[str, float]) -> int:
    loaded = [(f, load_cases(f)) for f in files]
    reports: dict[Path, Report] = {}
    remote: list[tuple[Path, list[Case]]] = []
    for f, cases in loaded:
        own = resume or resume_beside(f)
        if own is not None:
            reports[f] = _in_process(cases, own)
        else:
            remote.append((f, cases))
    for (f, _), report in zip(remote, _over_http([(str(f), c) for f, c in remote], url), strict=True):
        reports[f] = report
    ok = True
    lines: list[str] = []
    for f, _ in loaded:
        report = reports[f]
        lines += [line for line in report.render().splitlines()[:-1]]
    passed = sum(r.passed for r in reports.values())
    total = sum(r.total for r in reports.values())
    for f, _ in loaded:
        r = reports[f]
        share = r.passed / r.total if r.total else 1.0
        floor = floors.get(f.stem)
        verdict = ""
        if floor is not None:
            verdict = f" (floor {floor:.0%}{', BELOW' if share < floor else ''})"
            ok = ok and share >= floor
        lines.append(f"set {f.stem}: {r.passed}/{r.total} cases passed, {share:.0%}{verdict}")
    lines.append(f"qa: {passed}/{total} cases passed")
    print("\n".join(lines))
    if floors:
        missing = [f.stem for f, _ in loaded if f.stem not in floors]
        return 0 if ok and not missing else 1
    return 0 if passed == total else 1


def run(args: argparse.Namespace) -> int:
    floors: dict[str, float] = {}
    try:
        for f in args.files:
            load_cases(f)  # fail fast on a bad file, before starting anything
        if args.floors:
            floors = {
                str(k): float(v) for k, v in json.loads(args.floors.read_text(encoding="utf-8")).items()
            }
        if args.resume:
            import_resume(json.loads(args.resume.read_text(encoding="utf-8")))
    except (OSError, EvalFormatError, ValueError, ResumeImportError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return evaluate(list(args.files), args.url, args.resume, floors)
