"""Recovery times of the embedded servers: kill -9, then how long until the supervisor has the
server back and a query reaches it again. Several kills per server; median and max.

    .venv/bin/python -m bench.recovery [--runs 5]

Writes bench/results/recovery.json. A reference in the same run: a plain `SELECT 1` / PING
round trip while everything is up.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import tempfile
import time
from pathlib import Path

from bench.machine import describe
from config.settings import Settings
from storage.connect import open_storage

RESULTS = Path(__file__).parent / "results" / "recovery.json"


async def _measure(runs: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp), log_level="ERROR")  # type: ignore[call-arg]
        storage = await open_storage(settings)
        assert storage.supervisor is not None
        out: dict[str, object] = {}
        try:
            start = time.perf_counter()
            await storage.pool.fetchval("SELECT 1")
            await storage.redis.ping()
            out["reference_roundtrip_ms"] = round((time.perf_counter() - start) * 1000, 3)
            for server in storage._embedded:
                times = []
                for n in range(runs):
                    pid = server.pid()
                    assert pid is not None
                    killed = time.perf_counter()
                    os.kill(pid, signal.SIGKILL)
                    await storage.supervisor.wait_restarts(server.name, n + 1)
                    while True:  # back when a real request gets through
                        try:
                            if server.name == "postgres":
                                await storage.pool.fetchval("SELECT 1")
                            else:
                                await storage.redis.ping()
                            break
                        except Exception:
                            await asyncio.sleep(0.01)
                    times.append(time.perf_counter() - killed)
                out[server.name] = {
                    "runs": runs,
                    "median_s": round(statistics.median(times), 3),
                    "max_s": round(max(times), 3),
                    "all_s": [round(t, 3) for t in times],
                }
        finally:
            await storage.close()
        return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    result = {"machine": describe(), **asyncio.run(_measure(args.runs))}
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
