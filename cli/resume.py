"""`resume-agent import-resume FILE`: load or replace the owner's resume in one transaction."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from cli.storage_session import cli_storage
from config.settings import get_settings
from storage.content import replace_resume
from tools.resume_import import Imported, ResumeImportError, import_resume
from tools.resume_model import Resume


def add_parser(sub: Any) -> None:
    p = sub.add_parser("import-resume", help="load or replace the owner's resume from a JSON file")
    p.add_argument("file", type=Path)
    p.set_defaults(func=run)


def load_resume_file(path: Path) -> Imported:
    """The file as a checked resume (this format or JSON Resume), or SystemExit naming the bad fields."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SystemExit(f"error: cannot read {path}: {exc.strerror}") from exc
    try:
        return import_resume(json.loads(text))
    except json.JSONDecodeError as exc:
        raise SystemExit(
            f"error: {path} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from exc
    except ResumeImportError as exc:
        what = " (read as JSON Resume)" if exc.format == "json-resume" else ""
        lines = [f"error: {path} is not a valid resume{what} ({len(exc.problems)} problem(s)):"]
        lines += [f"  {p}" for p in exc.problems]
        raise SystemExit("\n".join(lines)) from exc


def parse_resume_file(path: Path) -> Resume:
    return load_resume_file(path).resume


def describe_database(url: str, embedded: bool) -> str:
    """Where the resume went, without the password: "embedded Postgres at postgresql://u@/db?host=..."."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0] + "@" if len(netloc) == 2 else ""
    safe = urlunsplit(parts._replace(netloc=user + netloc[-1]))
    return f"{'embedded Postgres' if embedded else 'Postgres'} at {safe}"


def run(args: argparse.Namespace) -> int:
    imported = load_resume_file(args.file)
    resume = imported.resume
    for warning in imported.warnings:
        print(f"warning: {warning}", file=sys.stderr)

    async def _import() -> tuple[int, str]:
        async with cli_storage() as (storage, owner_id), storage.pool.acquire() as conn:
            version = await replace_resume(conn, owner_id, resume)
            return version, describe_database(storage.database_url, get_settings().database_url is None)

    version, where = asyncio.run(_import())
    fmt = " (converted from JSON Resume)" if imported.format == "json-resume" else ""
    print(
        f"imported {len(resume.items())} items for {resume.profile.name}{fmt} into {where}"
        f" (resume version {version})",
        file=sys.stderr,
    )
    return 0
