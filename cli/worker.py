"""`resume-agent worker`: a process that only runs agents for LiveKit rooms, from the job stream.

Run as many as the calls need, on as many machines as share REDIS_URL and DATABASE_URL;
set AGENT_IN_PROCESS=false on the `serve` processes so they leave the jobs to the workers.
On SIGTERM a worker stops taking jobs and lets its live calls finish (up to --drain seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from typing import Any

from config.settings import get_settings


def add_parser(sub: Any) -> None:
    p = sub.add_parser("worker", help="run LiveKit room agents from the job stream")
    p.add_argument("--drain", type=float, default=3600.0, help="seconds live calls get to finish on SIGTERM")
    p.set_defaults(func=run)


async def _work(drain_s: float) -> None:
    from signaling.context import build_context
    from signaling.logs import configure_logging
    from signaling.room_jobs import room_agents

    settings = get_settings()
    configure_logging(settings.log_level)
    if not settings.livekit_enabled:
        raise SystemExit(
            "error: the worker runs LiveKit room agents: set LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET"
        )
    ctx = await build_context(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with room_agents(ctx, drain_s=drain_s) as worker:
            print(f"worker {worker.name} taking up to {worker.capacity} calls", file=sys.stderr)
            await stop.wait()
    finally:
        await ctx.close()


def run(args: argparse.Namespace) -> int:
    asyncio.run(_work(args.drain))
    return 0
