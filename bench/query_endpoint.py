"""Throughput and latency of POST /api/query on the real service, driven by wrk.

    .venv/bin/python -m bench.query_endpoint [--runs 3] [--seconds 10] [--connections 16]

The service runs as its own process (embedded Postgres and Redis, rate limits off) and wrk,
a C load generator, posts rotating questions; each question opens a new text session, so
every request does the full work: session row, state, answer, two turns and analytics.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.machine import describe
from bench.voice_common import service

ROOT = Path(__file__).resolve().parents[1]
LUA = r"""
local qs = {
  '{"text": "Which projects used Rust?"}',
  '{"text": "Where does Jordan work right now?"}',
  '{"text": "Has Jordan worked with Kafka?"}',
  '{"text": "Tell me about their education."}',
  '{"text": "What jobs did Jordan have before 2017?"}',
  '{"text": "Write me a poem about cats."}',
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", "/api/query", {["Content-Type"] = "application/json"}, qs[(i % #qs) + 1])
end
"""


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(url: str, seconds: int, connections: int, script: Path) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    lat = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", out, re.M))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50_ms": _ms(lat["50"]),
        "p90_ms": _ms(lat["90"]),
        "p99_ms": _ms(lat["99"]),
        "errors": float(non2xx.group(1)) if non2xx else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")
    # The service as deployed, in its own process; the speech models are not needed here.
    with service(VOICE_PRELOAD="false") as base, tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "query.lua"
        script.write_text(LUA)
        run_wrk(base, 3, args.connections, script)  # warm-up
        runs = [run_wrk(base, args.seconds, args.connections, script) for _ in range(args.runs)]
    result = {
        "machine": describe(),
        "connections": args.connections,
        "runs": runs,
        "rps_median": round(statistics.median(r["rps"] for r in runs), 1),
        "p50_ms_median": round(statistics.median(r["p50_ms"] for r in runs), 2),
        "p99_ms_median": round(statistics.median(r["p99_ms"] for r in runs), 2),
        "errors": sum(r["errors"] for r in runs),
    }
    (Path(__file__).parent / "results" / "query_endpoint.json").write_text(
        json.dumps(result, indent=2) + "\n"
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
