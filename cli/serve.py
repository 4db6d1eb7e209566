"""`resume-agent serve`: the all-in-one service."""

from __future__ import annotations

import argparse
from typing import Any

from config.settings import get_settings


def add_parser(sub: Any) -> None:
    p = sub.add_parser("serve", help="run the all-in-one service (HTTP, calls, embedded storage)")
    p.add_argument("--host", help="address to listen on (default: HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, help="port to listen on (default: PORT or 8000)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported here so that light commands (keys, import-resume) skip loading the media stack.
    import uvicorn

    from signaling.app import create_app
    from signaling.logs import configure_logging
    from signaling.server_options import UVICORN_OPTIONS

    settings = get_settings()
    configure_logging(settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=args.host or settings.host,
        port=args.port or settings.port,
        timeout_graceful_shutdown=10,
        **UVICORN_OPTIONS,
    )
    return 0
