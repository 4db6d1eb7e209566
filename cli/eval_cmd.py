"""`resume-agent eval FILE.jsonl`: replay Q&A cases through POST /api/query.

Without --url the service is started in this process on a free loopback port (same
settings, same embedded storage), so the eval always exercises the real endpoint.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import httpx

from config.settings import get_settings
from tools.evaluation import EvalFormatError, load_cases, run_cases


def add_parser(sub: Any) -> None:
    p = sub.add_parser("eval", help="replay a Q&A file and report per-case failures")
    p.add_argument("file", type=Path)
    p.add_argument("--url", help="a running service (default: start one in-process)")
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


def evaluate(file: Path, url: str) -> int:
    cases = load_cases(file)
    with httpx.Client(base_url=url, timeout=30) as client:
        report = run_cases(cases, HttpAnswers(client))
    print(report.render())
    return 0 if report.passed == report.total else 1


def run(args: argparse.Namespace) -> int:
    try:
        load_cases(args.file)  # fail fast on a bad file, before starting anything
    except (OSError, EvalFormatError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.url:
        return evaluate(args.file, args.url)
    from signaling.background_server import live_server  # the whole service: only when needed

    # Rate limits would throttle a long replay from one address; the eval is the owner's own traffic.
    settings = get_settings().model_copy(update={"rate_limit_enabled": False, "voice_preload": False})
    with live_server(settings) as server:
        return evaluate(args.file, server.url)
