"""How many simultaneous SIP calls one process holds with no late audio.

    .venv/bin/python -m bench.sip_capacity [--levels 1,2,4,6,8]

For each level N, N SIP callers (sipp signalling, real RTP) call the service (its own process),
hear the greeting, then all ask a question at once and listen to the answers. PJSIP sends a
frame every 20 ms on its own clock whatever happens, so lateness shows as a gap: a 20 ms slot
inside an agent utterance with no audio ready (resume_agent_sip_late_frames_total, against
resume_agent_sip_audio_frames_total sent). "No late audio" is under 0.1% of frames.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from bench.machine import describe, percentile
from bench.sip_common import SipCaller, counter, sip_env
from bench.voice_common import QUESTIONS, RESULTS, Speaker, service
from tests.sip.rtp import to_8k

NO_LATE_PCT = 0.1


async def level(base: str, target: str, n: int, speaker: Speaker) -> dict[str, Any]:
    clips = [speaker.say(QUESTIONS[i % len(QUESTIONS)]) for i in range(n)]
    with tempfile.TemporaryDirectory(prefix="bench-sip-") as folder:
        callers = [SipCaller(target, Path(folder), f"+1555030{i:02d}") for i in range(n)]
        try:
            peers = await asyncio.gather(*(c.start() for c in callers))
            await asyncio.gather(*(p.wait_quiet(after=0.0, quiet_s=2.0, timeout_s=180) for p in peers))
            frames0 = await counter(base, "resume_agent_sip_audio_frames_total")
            late0 = await counter(base, "resume_agent_sip_late_frames_total")
            ends = await asyncio.gather(
                *(p.say(to_8k(pcm)) for p, (pcm, _) in zip(peers, clips, strict=True))
            )
            speech_ends = [e - tail for e, (_, tail) in zip(ends, clips, strict=True)]
            await asyncio.gather(
                *(
                    p.wait_quiet(after=e, quiet_s=1.5, timeout_s=180)
                    for p, e in zip(peers, speech_ends, strict=True)
                )
            )
            frames = await counter(base, "resume_agent_sip_audio_frames_total") - frames0
            late = await counter(base, "resume_agent_sip_late_frames_total") - late0
            firsts = [
                (f - e) * 1000
                for p, e in zip(peers, speech_ends, strict=True)
                if (f := p.speech_after(e)) is not None
            ]
        finally:
            await asyncio.gather(
                *(c.hang_up() for c in callers if c.peer is not None), return_exceptions=True
            )
    return {
        "calls": n,
        "frames": int(frames),
        "late_frames": int(late),
        "late_pct": round(100 * late / max(1.0, frames), 2),
        "first_audio_p50_ms": round(percentile(firsts, 0.5), 1),
        "first_audio_max_ms": round(max(firsts, default=float("nan")), 1),
    }


async def run(base: str, target: str, levels: list[int]) -> list[dict[str, Any]]:
    speaker = Speaker()
    results = []
    for n in levels:
        result = await level(base, target, n, speaker)
        results.append(result)
        print(
            f"{n:3} calls: late {result['late_pct']:6.2f}% of {result['frames']} frames,"
            f" first audio p50 {result['first_audio_p50_ms']} ms, max {result['first_audio_max_ms']} ms"
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--levels", default="1,2,4,6,8")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    env = sip_env(max_calls=max(levels))
    with service(**env) as base:
        results = asyncio.run(run(base, f"127.0.0.1:{env['SIP_PORT']}", levels))
    held = [r["calls"] for r in results if r["late_pct"] < NO_LATE_PCT]
    summary = {
        "machine": describe(),
        "load_average_1m": round(os.getloadavg()[0], 1),  # other work on the machine meanwhile
        "held_without_late_audio": max(held, default=0),
        "levels": results,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "sip_capacity.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps({k: v for k, v in summary.items() if k != "levels"}, indent=2))


if __name__ == "__main__":
    main()
