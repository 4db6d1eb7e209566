"""`resume-agent import-resume FILE`: load or replace the owner's resume in one transaction."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cli.storage_session import cli_storage
from storage.content import replace_resume
from tools.resume_model import Resume


def add_parser(sub: Any) -> None:
    p = sub.add_parser("import-resume", help="load or replace the owner's resume from a JSON file")
    p.add_argument("file", type=Path)
    p.set_defaults(func=run)


def parse_resume_file(path: Path) -> Resume:
    """The file as a Resume, or SystemExit with a message naming the file and the bad field."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SystemExit(f"error: cannot read {path}: {exc.strerror}") from exc
    try:
        return Resume.model_validate(json.loads(text))
    except json.JSONDecodeError as exc:
        raise SystemExit(
            f"error: {path} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from exc
    except ValidationError as exc:
        lines = [f"error: {path} is not a valid resume ({exc.error_count()} problem(s)):"]
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "(top level)"
            lines.append(f"  {field}: {err['msg']}")
        raise SystemExit("\n".join(lines)) from exc


def run(args: argparse.Namespace) -> int:
    resume = parse_resume_file(args.file)

    async def _import() -> int:
        async with cli_storage() as (storage, owner_id), storage.pool.acquire() as conn:
            return await replace_resume(conn, owner_id, resume)

    version = asyncio.run(_import())
    print(
        f"imported {len(resume.items())} items for {resume.profile.name} (resume version {version})",
        file=sys.stderr,
    )
    return 0
