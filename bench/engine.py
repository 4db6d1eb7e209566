"""In-process latency of the resume engine: p50/p99 per query over several rounds.

.venv/bin/python -m bench.engine [--rounds 5] [--repeat 200]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from bench.machine import describe, percentile
from tools.engine import ResumeEngine
from tools.resume_model import load_sample_resume
from tools.state import ConversationState

QUESTIONS = Path(__file__).resolve().parents[1] / "tests" / "data" / "dev.jsonl"
EXTRA = [
    "What's Jordan's current title?",
    "Did they use golang anywhere?",
    "Anything with pie torch?",
    "What did they do after Cartograph?",
    "Projects since 2023?",
    "Tell me a joke.",
]


def questions() -> list[list[str]]:
    """Conversations (lists of turns) from the dev set plus a few extra phrasings."""
    convs = [
        [t["text"] for t in json.loads(line)["turns"]]
        for line in QUESTIONS.read_text().splitlines()
        if line.strip()
    ]
    return convs + [[q] for q in EXTRA]


def run(rounds: int, repeat: int) -> dict[str, object]:
    start = time.perf_counter()
    engine = ResumeEngine(load_sample_resume())
    build_ms = (time.perf_counter() - start) * 1000
    convs = questions()
    per_round: list[tuple[float, float]] = []
    cpu_round: list[float] = []
    for _ in range(rounds):
        samples: list[float] = []
        cpu: list[float] = []
        for _ in range(repeat // len(convs) + 1):
            for conv in convs:
                state = ConversationState()
                for text in conv:
                    t0, c0 = time.perf_counter(), time.thread_time()
                    _, state = engine.answer(text, state)
                    cpu.append((time.thread_time() - c0) * 1000)
                    samples.append((time.perf_counter() - t0) * 1000)
        per_round.append((percentile(samples, 0.5), percentile(samples, 0.99)))
        cpu_round.append(percentile(cpu, 0.99))
    return {
        "machine": describe(),
        "engine_build_ms": round(build_ms, 2),
        "rounds": rounds,
        "queries_per_round": repeat,
        "p50_ms_median_of_rounds": round(statistics.median(p for p, _ in per_round), 3),
        "p99_ms_median_of_rounds": round(statistics.median(p for _, p in per_round), 3),
        "p99_ms_worst_round": round(max(p for _, p in per_round), 3),
        # CPU time of the answering thread: what the engine costs, without a busy machine's preemptions.
        "cpu_p99_ms_median_of_rounds": round(statistics.median(cpu_round), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=500)
    args = parser.parse_args()
    result = run(args.rounds, args.repeat)
    out = Path(__file__).parent / "results" / "engine.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
