"""What each call leaves behind in `resume-agent serve`: objects, tasks, threads, fds, heap.

    .venv/bin/python -m bench.memory_probe [--calls 20] [--tracemalloc]

The service runs in its own process with one extra route, /api/_probe (bench only, never in the
product), that collects garbage and answers the process's RSS, glibc's heap figures (mallinfo2:
in use vs free-but-kept, to tell a Python leak from native fragmentation), live objects by type,
asyncio tasks, threads and open file descriptors. Two warm-up calls come first (lazy loads,
caches filled once), then a probe, the calls, and a probe again; what grew is printed, per call.
With --tracemalloc the Python allocations that grew are printed by source line as well.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import json
import os
import re
import sys
import threading
import time
import tracemalloc
from typing import Any

import httpx

from agent.memory import heap_mb, release_freed_memory

UUIDISH = re.compile(r"[0-9a-f]{8}-[0-9a-f-]{27}|0x[0-9a-f]+|\d+")


def rss_mb() -> float:
    with open("/proc/self/status", encoding="utf-8") as f:
        return next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmRSS:"))


def anon_rss_mb() -> dict[str, float]:
    """Resident anonymous memory by kind of mapping: the brk heap, big mmaps (>= 64 MB: arenas), other."""
    kinds: collections.Counter[str] = collections.Counter()
    name = "?"
    size = 0
    with open("/proc/self/smaps", encoding="utf-8") as f:
        for line in f:
            head = line.split()
            if "-" in head[0] and len(head) >= 5 and not head[0].endswith(":"):
                start, end = (int(x, 16) for x in head[0].split("-"))
                size = end - start
                name = head[5] if len(head) > 5 else ("anon>=64MB" if size >= 64 << 20 else "anon<64MB")
                if name.startswith("/"):
                    name = "file"
            elif head[0] == "Rss:":
                kinds[name] += int(head[1])
    return {k: round(v / 1024, 1) for k, v in kinds.items()}


def fd_kinds() -> dict[str, int]:
    kinds: collections.Counter[str] = collections.Counter()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        kinds[UUIDISH.sub("#", target.split(":")[0] if ":" in target else "file")] += 1
    return dict(kinds)


_last_trace: list[tracemalloc.Snapshot] = []


def snapshot() -> dict[str, Any]:
    rss_as_found = rss_mb()
    t0 = time.perf_counter()
    collected = gc.collect()
    gc_ms = (time.perf_counter() - t0) * 1000
    rss_after_gc = rss_mb()
    trimmed = release_freed_memory()
    types: collections.Counter[str] = collections.Counter(
        f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.get_objects()
    )
    tasks = collections.Counter(UUIDISH.sub("#", t.get_name()) for t in asyncio.all_tasks())
    out: dict[str, Any] = {
        "rss_mb": round(rss_mb(), 1),
        # As the bench reads it, after collecting cycles, and after giving free pages back:
        "gc": [round(rss_as_found, 1), round(rss_after_gc, 1), collected, round(gc_ms, 1), trimmed],
        "heap": heap_mb(),
        "maps": anon_rss_mb(),
        "objects": len(gc.get_objects()),
        "types": dict(types),
        "tasks": dict(tasks),
        "threads": dict(collections.Counter(UUIDISH.sub("#", t.name) for t in threading.enumerate())),
        "fds": fd_kinds(),
    }
    if tracemalloc.is_tracing():
        out["traced_mb"] = round(tracemalloc.get_traced_memory()[0] / 1024 / 1024, 1)
        snap = tracemalloc.take_snapshot()
        if _last_trace:
            stats = snap.compare_to(_last_trace[-1], "traceback")[:25]
            out["trace_growth"] = [
                {
                    "kb": round(s.size_diff / 1024, 1),
                    "count": s.count_diff,
                    "where": s.traceback.format()[-6:],
                }
                for s in stats
            ]
        _last_trace[:] = [snap]
    return out


def serve(port: int) -> None:
    """The service as `resume-agent serve` runs it, plus /api/_probe."""
    import uvicorn

    from config.settings import get_settings
    from signaling.app import create_app
    from signaling.logs import configure_logging
    from signaling.server_options import UVICORN_OPTIONS

    settings = get_settings()
    configure_logging(settings.log_level)
    app = create_app(settings)

    async def probe() -> dict[str, Any]:  # on the loop, between calls: asyncio.all_tasks needs it
        return snapshot()

    app.add_api_route("/api/_probe", probe, methods=["GET"])
    uvicorn.run(app, host="127.0.0.1", port=port, **UVICORN_OPTIONS)


def diff(before: dict[str, Any], after: dict[str, Any], calls: int, key: str) -> list[str]:
    a, b = before[key], after[key]
    grown = sorted(((b.get(k, 0) - a.get(k, 0), k) for k in set(a) | set(b)), reverse=True)
    return [f"  {d:+7d} ({d / calls:+.1f}/call) {k}" for d, k in grown if d != 0][:40]


async def drive(calls: int, trace: bool, warmup: int, every: int, env_extra: dict[str, str]) -> None:
    from bench.memory import no_calls, one_call
    from bench.voice_common import QUESTIONS, Speaker, service_process

    speaker = Speaker()
    clips = [speaker.say(q) for q in QUESTIONS]
    env = {
        "LOAD_THRESHOLD": "1000",
        "PROBE_SERVE": "1",
        "PROBE_TRACEMALLOC": "1" if trace else "",
        **env_extra,
    }
    argv = [sys.executable, "-m", "bench.memory_probe"]
    with service_process(argv, **env) as (base, _pid):
        async with httpx.AsyncClient(base_url=base, timeout=120) as http:

            async def probe() -> dict[str, Any]:
                return dict((await http.get("/api/_probe")).json())

            first = await probe()
            print("before any call:", json.dumps({k: first[k] for k in ("rss_mb", "heap", "maps")}))
            for i in range(warmup):
                await one_call(base, *clips[i % len(clips)])
                await no_calls(base)
            before = await probe()
            print("after warm-up:", json.dumps({k: before[k] for k in ("rss_mb", "gc", "heap", "objects")}))
            for i in range(calls):
                t0 = time.monotonic()
                phases: dict[str, float] = {}
                ok = await one_call(base, *clips[i % len(clips)], phases)
                took = time.monotonic() - t0
                await no_calls(base)
                if (i + 1) % every == 0 or i == calls - 1:
                    mid = await probe()
                    print(
                        f"call {i + 1} ({'answered' if ok else 'NOT answered'} in {took:.1f} s, {phases}):",
                        json.dumps({k: mid[k] for k in ("rss_mb", "gc", "heap", "objects")}),
                    )
            after = mid
    print(f"RSS {before['rss_mb']} -> {after['rss_mb']} MB over {calls} calls")
    print("heap before", before["heap"], "after", after["heap"])
    for key in ("types", "tasks", "threads", "fds"):
        print(f"{key} grown:")
        print("\n".join(diff(before, after, calls, key)) or "  none")
    for s in after.get("trace_growth", []):
        print(f"{s['kb']:+9.1f} kB {s['count']:+6d} blocks", "\n    ".join(s["where"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--every", type=int, default=5, help="probe after every this many calls")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the service")
    args = parser.parse_args()
    env = dict(e.split("=", 1) for e in args.env)
    asyncio.run(drive(args.calls, args.tracemalloc, args.warmup, args.every, env))


if __name__ == "__main__":
    if os.environ.get("PROBE_SERVE"):
        if os.environ.get("PROBE_TRACEMALLOC"):
            tracemalloc.start(12)
        serve(int(sys.argv[sys.argv.index("--port") + 1]))
    else:
        main()
