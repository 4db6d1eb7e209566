"""The spoken pause set: questions with a pause at a word boundary, several voices and speeds.

Each question is synthesized whole, so the words before the pause keep the intonation of a
sentence that goes on, and silence is then inserted at a word boundary (found as the quietest
10 ms near where the words before it end when spoken alone). Boundaries are drawn at random
(seeded), not chosen to suit the turn logic. Voices: Piper's en_US-joe-medium at three speeds,
and the same voice shifted up and down in pitch (resampled), as stand-ins for other speakers.

Clips are cached under bench/.cache/pause_set (gitignored); `python -m bench.pause_set` builds
them ahead of a run.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from piper import PiperVoice, SynthesisConfig

from config.settings import Settings
from pipeline.models import piper_voice_path

CACHE = Path(__file__).parent / ".cache" / "pause_set"
RATE = 48000
GAIN = 0.6

QUESTIONS = [
    "Where did Jordan go to university?",
    "Has Jordan ever worked with Kafka?",
    "Does Jordan have experience with Kubernetes?",
    "What did Jordan build at Sonora Labs?",
    "Which programming languages does Jordan use every day?",
    "How many engineers did Jordan mentor at Sonora?",
    "Tell me about the feature store at Northwind Analytics.",
    "What was Jordan's role at Cartograph in Madrid?",
    "Can you tell me about their work on the SIP bridge?",
    "When would Jordan be available to start a new job?",
    "Is Jordan open to working remotely from the United States?",
    "What kind of teams has Jordan led in the past?",
    "Which cloud platforms has Jordan used in production?",
    "Does Jordan speak any languages other than English?",
    "How did Jordan reduce the latency of the voice platform?",
    "What certifications does Jordan hold at the moment?",
    "Tell me more about the projects Jordan has built in Rust.",
    "Has Jordan published any papers or given talks?",
    "What is Jordan's current job title at Sonora Labs?",
    "Where is Jordan based and which time zones do they work in?",
    "Did Jordan work with machine learning models at Northwind?",
    "What was the biggest system Jordan scaled?",
    "Could you describe Jordan's experience with WebRTC?",
    "Which databases has Jordan worked with over the years?",
    "How long did Jordan stay at Northwind Analytics?",
    "What did Jordan study at university and where?",
    "Does Jordan need a visa to work in the United States?",
    "What awards has Jordan received for their work?",
    "Tell me about Jordan's experience with streaming speech recognition.",
    "Is Jordan comfortable leading a team of engineers?",
    "What are Jordan's main technical interests outside of work?",
    "Has Jordan ever worked on a routing or fleet tracking product?",
    "What is the notice period before Jordan can join a new company?",
    "Which monitoring tools has Jordan used with Prometheus?",
    "How much experience does Jordan have with Go?",
    "What did Jordan do to cut infrastructure costs at Northwind?",
    "Can Jordan work in Spanish as well as in English?",
    "Tell me about the open source projects on Jordan's GitHub.",
    "Who did Jordan report to in their last role?",
    "Why did Jordan move from Berlin to Lisbon?",
    "Does Jordan have any experience with gRPC services?",
    "What is the most recent project that Jordan worked on?",
    "Has Jordan worked for a startup or only for large companies?",
    "What tools does Jordan use for profiling performance problems?",
]


@dataclass(frozen=True)
class VoiceStyle:
    name: str
    length_scale: float  # Piper's speed: > 1 is slower
    pitch: float  # resampling factor: > 1 is higher (and a little faster)


VOICES = [
    VoiceStyle("joe", 1.0, 1.0),
    VoiceStyle("joe-slow", 1.2, 1.0),
    VoiceStyle("joe-fast", 0.85, 1.0),
    VoiceStyle("joe-high", 1.0, 1.12),
    VoiceStyle("joe-low", 1.05, 0.9),
]

# Said over the agent's answers: none of these should stop it.
BACKCHANNELS = ["Mm-hm.", "Okay.", "Right.", "Yeah.", "Uh-huh.", "I see.", "Got it.", "Sure."]
NOISES = ["cough", "knock", "door"]
# Real interruptions (a new question of three or more words): these must stop the agent.
INTERRUPTIONS = [
    "Wait, what about their education?",
    "Sorry, which languages do they speak?",
    "Hold on, where are they based?",
    "Actually, tell me about their awards.",
]


@dataclass(frozen=True)
class Clip:
    pcm: np.ndarray  # mono int16 at 48 kHz
    split_s: float  # where the pause starts, from the clip's start (0 without a pause)
    pause_s: float
    voiced_end_s: float  # where the voice really ends (the clip may trail silence)
    before: str  # the words before the pause
    after: str


class PauseSet:
    def __init__(self, seed: int = 13) -> None:
        self._voice: PiperVoice | None = None
        self._seed = seed

    @property
    def voice(self) -> PiperVoice:
        if self._voice is None:
            self._voice = PiperVoice.load(piper_voice_path(Settings(_env_file=None)))  # type: ignore[call-arg]
        return self._voice

    def split_word(self, index: int) -> int:
        """The word boundary (1..n-1) where question `index` pauses: random, at least one word each side."""
        words = QUESTIONS[index].split()
        rng = random.Random(f"{self._seed}-{index}")
        return rng.randrange(2, len(words) - 1) if len(words) > 3 else 1

    def question(self, index: int, voice: VoiceStyle, pause_s: float) -> Clip:
        text = QUESTIONS[index]
        k = self.split_word(index)
        key = hashlib.sha256(json.dumps([text, k, voice.name, voice.length_scale, voice.pitch]).encode())
        whole, split_s = self._cached(key.hexdigest()[:20], lambda: self._synth_split(text, k, voice))
        words = text.split()
        if pause_s <= 0:
            return Clip(whole, 0.0, 0.0, _voiced_end(whole), " ".join(words[:k]), " ".join(words[k:]))
        cut = int(split_s * RATE)
        pcm = np.concatenate([whole[:cut], np.zeros(int(pause_s * RATE), np.int16), whole[cut:]])
        return Clip(pcm, split_s, pause_s, _voiced_end(pcm), " ".join(words[:k]), " ".join(words[k:]))

    def phrase(self, text: str, voice: VoiceStyle = VOICES[0]) -> np.ndarray:
        key = hashlib.sha256(json.dumps([text, voice.name, voice.length_scale, voice.pitch]).encode())
        pcm, _ = self._cached(key.hexdigest()[:20], lambda: (self._synth(text, voice), 0.0))
        return pcm

    def _cached(self, key: str, make: object) -> tuple[np.ndarray, float]:
        path = CACHE / f"{key}.npz"
        if path.exists():
            data = np.load(path)
            return data["pcm"], float(data["split_s"])
        pcm, split_s = make()  # type: ignore[operator]
        CACHE.mkdir(parents=True, exist_ok=True)
        np.savez(path, pcm=pcm, split_s=split_s)
        return pcm, split_s

    def _synth(self, text: str, voice: VoiceStyle) -> np.ndarray:
        config = SynthesisConfig(length_scale=voice.length_scale)
        audio = np.concatenate([c.audio_float_array for c in self.voice.synthesize(text, config)])
        # Resampling by `pitch` raises pitch and tempo together, like a different speaker's voice.
        n = int(len(audio) * RATE / self.voice.config.sample_rate / voice.pitch)
        pcm = np.interp(np.linspace(0, len(audio), n, endpoint=False), np.arange(len(audio)), audio)
        return (pcm / max(1e-6, float(np.abs(pcm).max())) * GAIN * 32767).astype(np.int16)

    def _synth_split(self, text: str, k: int, voice: VoiceStyle) -> tuple[np.ndarray, float]:
        whole = self._synth(text, voice)
        prefix = self._synth(" ".join(text.split()[:k]), voice)
        estimate = _voiced_end(prefix)
        # The quietest 10 ms near the estimate is the gap between the two words.
        win = RATE // 100
        lo, hi = int((estimate - 0.25) * RATE), int((estimate + 0.15) * RATE)
        lo, hi = max(win, lo), min(len(whole) - win, hi)
        energies = [
            (float(np.abs(whole[i : i + win].astype(np.int32)).mean()), i) for i in range(lo, hi, win // 2)
        ]
        best = min(energies)[1] + win // 2 if energies else int(estimate * RATE)
        return whole, best / RATE


def _voiced_end(pcm: np.ndarray, threshold: int = 300) -> float:
    loud = np.flatnonzero(np.abs(pcm.astype(np.int32)) > threshold)
    return float(loud[-1] + 1) / RATE if len(loud) else 0.0


def voiced_start(pcm: np.ndarray, threshold: int = 300) -> float:
    loud = np.flatnonzero(np.abs(pcm.astype(np.int32)) > threshold)
    return float(loud[0]) / RATE if len(loud) else 0.0


def noise(kind: str) -> np.ndarray:
    """Non-speech sounds: a cough (a short voiced-noise burst), a knock (two thumps), a door (a bang)."""
    rng = np.random.default_rng({"cough": 1, "knock": 2, "door": 3}[kind])
    if kind == "cough":
        n = int(0.35 * RATE)
        t = np.arange(n) / RATE
        burst = rng.standard_normal(n) * np.exp(-t / 0.08) * (1 + 0.5 * np.sin(2 * np.pi * 180 * t))
    elif kind == "knock":
        n = int(0.5 * RATE)
        burst = np.zeros(n)
        for at in (0.0, 0.22):
            i = int(at * RATE)
            m = int(0.06 * RATE)
            burst[i : i + m] += rng.standard_normal(m) * np.exp(-np.arange(m) / (m / 6))
    else:
        n = int(0.6 * RATE)
        burst = rng.standard_normal(n) * np.exp(-np.arange(n) / (n / 10))
    return (burst / np.abs(burst).max() * 0.8 * 32767).astype(np.int16)


def main() -> None:
    pauses = PauseSet()
    for voice in VOICES:
        for i in range(len(QUESTIONS)):
            pauses.question(i, voice, 0.5)
    for text in BACKCHANNELS + INTERRUPTIONS:
        pauses.phrase(text)
    print(f"{len(QUESTIONS)} questions x {len(VOICES)} voices cached in {CACHE}")


if __name__ == "__main__":
    main()
