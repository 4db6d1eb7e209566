"""`resume-agent`: serve, import-resume, keys, eval."""

from __future__ import annotations

import argparse
import os
import sys

# Pipecat logs through loguru from import time on; keep its chatter out of command output
# unless the user asked for debug logs.
if os.environ.get("LOG_LEVEL", "").upper() != "DEBUG":
    os.environ.setdefault("LOGURU_LEVEL", "WARNING")

from cli import eval_cmd, keys, resume, serve, sip, worker  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="resume-agent", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve.add_parser(sub)
    resume.add_parser(sub)
    keys.add_parser(sub)
    eval_cmd.add_parser(sub)
    sip.add_parser(sub)
    worker.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
