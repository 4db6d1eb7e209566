"""Voice latency through a LiveKit room next to the P2P path, measured in the same run.

    .venv/bin/python -m bench.livekit_latency [--rounds 3] [--questions 4]

A real livekit-server (bench/livekit_server.py) and `resume-agent serve` in LiveKit mode with
its in-process room agent. Each round makes one P2P call (bench/voice_latency.py's aiortc
caller, /api/offer) and then one LiveKit call (a livekit SDK visitor, bench/livekit_visitor.py)
to the same process, asking the same Piper-spoken questions, so the machine's load falls on
both paths alike. Per question: end of the caller's speech -> first agent audio heard, split
with the server's wall-clock marks (its `latency` message) into three legs:

    in      caller speech end -> the server's speech end (the VAD's stop minus its stop window):
            the media path in (mic buffering, SFU, jitter buffer, decode, resampling, VAD frames)
    server  the server's own total (its stages: VAD stop, STT/turn, answer, TTS, transport)
    out     the server's first audio frame handed to the transport -> first audio heard:
            the media path out (audio source queue, encode, SFU, jitter buffer, decode)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

import httpx

from bench import voice_latency
from bench.livekit_server import API_KEY, API_SECRET, missing_reason, start_livekit
from bench.livekit_visitor import Visitor
from bench.machine import describe, percentile
from bench.voice_common import FAIR_ENV, QUESTIONS, RESULTS, Speaker, service_process
from bench.voice_latency import MISS_S
from signaling.background_server import free_port

LEGS = ["in_ms", "server_ms", "out_ms"]


async def run_livekit(
    base: str, n: int, first: int = 0, misses: list[str] | None = None
) -> list[dict[str, Any]]:
    """One visitor in a fresh room asking `n` questions, from QUESTIONS[first] on."""
    speaker = Speaker()
    clips = [speaker.say(QUESTIONS[(first + i) % len(QUESTIONS)]) for i in range(n)]
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        created = (await http.post("/api/sessions")).raise_for_status().json()
    join = created["livekit"]
    visitor = Visitor()
    rows: list[dict[str, Any]] = []
    misses = misses if misses is not None else []
    try:
        await visitor.join(join["url"], join["token"])
        await visitor.wait_quiet(after=0.0, quiet_s=1.0, timeout_s=180)  # the greeting
        for i in range(n):
            question = QUESTIONS[(first + i) % len(QUESTIONS)]
            pcm, tail_s = clips[i]
            seen = len(_latencies(visitor))
            speech_end = await visitor.say(pcm) - tail_s
            try:
                await visitor.wait_for(lambda m, k=seen: len(_latencies(visitor)) > k, timeout_s=MISS_S)
            except TimeoutError:  # as bench/voice_latency.py: counted, not fatal
                print(f"livekit {question:42} no answer within {MISS_S:.0f} s")
                misses.append(question)
                continue
            server = _latencies(visitor)[seen]
            await visitor.wait_quiet(after=speech_end, quiet_s=1.0, timeout_s=180)
            heard = visitor.first_speech_after(speech_end)
            assert heard is not None
            rows.append(
                {
                    "question": question,
                    "client_ms": round((heard - speech_end) * 1000, 1),
                    "server": server,
                    "speech_end_at": round(speech_end, 4),
                    "heard_at": round(heard, 4),
                }
            )
            print(
                f"livekit {question:34} client {rows[-1]['client_ms']:7.1f} ms"
                f"  server {server['total_ms']:7.1f} ms"
            )
    finally:
        await visitor.leave()
    if visitor.frame_samples and rows:
        rows[-1]["visitor_frame_samples"] = statistics.mode(visitor.frame_samples)
    return rows


def _latencies(visitor: Visitor) -> list[dict[str, Any]]:
    return [m for m in visitor.server_messages() if m.get("type") == "latency"]


def legs(row: dict[str, Any]) -> dict[str, float]:
    """The client's figure split at the server's wall-clock marks (same machine, same clock)."""
    at = row["server"]["at"]
    return {
        "in_ms": round((at["speech_end"] - row["speech_end_at"]) * 1000, 1),
        "server_ms": float(row["server"]["total_ms"]),
        "out_ms": round((row["heard_at"] - at["audio_out"]) * 1000, 1),
    }


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    client = [float(r["client_ms"]) for r in rows]
    split = [legs(r) for r in rows]
    return {
        "questions": len(rows),
        "client_p50_ms": round(percentile(client, 0.5), 1),
        "client_p90_ms": round(percentile(client, 0.9), 1),
        "leg_median_ms": {k: round(statistics.median(s[k] for s in split), 1) for k in LEGS},
        "stage_median_ms": {
            s: round(statistics.median(float(r["server"][s]) for r in rows), 1) for s in voice_latency.STAGES
        },
        "rows": [{**r, "legs": s} for r, s in zip(rows, split, strict=True)],
    }


async def interleaved(base: str, rounds: int, n: int) -> dict[str, Any]:
    p2p: list[dict[str, Any]] = []
    livekit: list[dict[str, Any]] = []
    loads: list[float] = []
    missed: dict[str, list[str]] = {"p2p": [], "livekit": []}
    for r in range(rounds):
        first = r * n
        loads.append(_load())
        result = await voice_latency.run(base, n, first)
        p2p.extend(result["rows"])  # type: ignore[arg-type]
        missed["p2p"].extend(result["missed"])  # type: ignore[arg-type]
        loads.append(_load())
        livekit.extend(await run_livekit(base, n, first, missed["livekit"]))
    loads.append(_load())
    out: dict[str, Any] = {
        "machine": describe(),
        "load_average_1m": {"min": min(loads), "max": max(loads), "mean": round(statistics.mean(loads), 2)},
        "p2p": summarize(p2p),
        "livekit": summarize(livekit),
        "missed": missed,
    }
    out["difference_p50_ms"] = round(out["livekit"]["client_p50_ms"] - out["p2p"]["client_p50_ms"], 1)
    out["difference_p90_ms"] = round(out["livekit"]["client_p90_ms"] - out["p2p"]["client_p90_ms"], 1)
    return out


def _load() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def write(result: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "livekit_latency.json").write_text(json.dumps(result, indent=2) + "\n")
    p2p, lk = result["p2p"], result["livekit"]
    load = result["load_average_1m"]

    def row(name: str, key: str) -> str:
        return f"| {name} | {p2p[key]} ms | {lk[key]} ms | {round(lk[key] - p2p[key], 1)} ms |"

    def leg(name: str, table: str, key: str) -> str:
        a, b = p2p[table][key], lk[table][key]
        return f"| {name} | {a} ms | {b} ms | {round(b - a, 1)} ms |"

    lines = [
        "# LiveKit room path vs P2P (end of caller speech -> first agent audio heard)",
        "",
        f"Machine: {result['machine']}; 1-minute load average {load['min']}-{load['max']}"
        f" (mean {load['mean']}) while measured.",
        f"{p2p['questions']} questions per path, P2P and LiveKit calls interleaved against one",
        "`resume-agent serve` in LiveKit mode (in-process room agent, real livekit-server on loopback).",
        "",
        "| | P2P (aiortc caller) | LiveKit (SDK visitor) | difference |",
        "|---|---|---|---|",
        row("client p50", "client_p50_ms"),
        row("client p90", "client_p90_ms"),
        "",
        "Each question's figure split at the server's wall-clock marks (medians):",
        "",
        "| leg | P2P | LiveKit | difference |",
        "|---|---|---|---|",
        leg("in: caller speech end -> server speech end", "leg_median_ms", "in_ms"),
        leg("server: speech end -> first frame to transport", "leg_median_ms", "server_ms"),
        leg("out: first frame to transport -> heard", "leg_median_ms", "out_ms"),
        *[leg(f"server stage {k.removesuffix('_ms')}", "stage_median_ms", k) for k in voice_latency.STAGES],
        "",
        "What the LiveKit path had added, and what was done (docs/voice.md, LiveKit room audio):",
        "the SDK's 1 s AudioSource queue, drained by a native 10 ms timer that falls behind on a",
        "loaded machine: on the visitor's microphone it delayed the question up to ~0.4 s (the",
        "visitor now sends with no queue, as a browser does), and on the agent's output it cost",
        "~40-50 ms before the first frame was heard (the agent now hands 10 ms frames straight to",
        "the encoder, paced by agent/livekit_output.py). What is left is on the way in: the agent's",
        "SDK receive path (SFU hop, libwebrtc's adaptive jitter buffer, 10 ms frames) against the",
        "P2P path's 1-packet aiortc jitter buffer.",
        "",
    ]
    (RESULTS / "livekit_latency.md").write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--questions", type=int, default=4, help="per call")
    args = parser.parse_args()
    reason = missing_reason()
    if reason:
        raise SystemExit(reason)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-livekit-") as workdir:
        server = start_livekit(Path(workdir), f"http://127.0.0.1:{port}/api/livekit/webhook")
        try:
            env = {
                "LIVEKIT_URL": server.url,
                "LIVEKIT_API_KEY": API_KEY,
                "LIVEKIT_API_SECRET": API_SECRET,
                "LOAD_THRESHOLD": "1000",
                **FAIR_ENV,
            }
            with service_process(None, port, **env) as (base, _pid):
                result = asyncio.run(interleaved(base, args.rounds, args.questions))
        finally:
            server.stop()
    write(result)
    print(json.dumps({k: v for k, v in result.items() if k not in ("p2p", "livekit")}, indent=2))
    for path in ("p2p", "livekit"):
        print(path, json.dumps({k: v for k, v in result[path].items() if k != "rows"}))


if __name__ == "__main__":
    main()
