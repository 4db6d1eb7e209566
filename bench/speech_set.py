"""The spoken test set for the STT benchmark: resume questions in several voices and conditions.

Each question of `bench/data/stt_questions.json` is spoken three times (two Piper renderings at
different speeds and sampling noise, one espeak-ng voice), and every rendering comes in four
conditions: clean; phone (8 kHz, 300-3400 Hz, G.711 mu-law, back to 16 kHz as a phone stream
reaches STT); babble (six time-reversed talkers: speech-shaped, unintelligible, so it adds no
words of its own); street (traffic rumble, pink noise, passing cars and horns). The noisy copies
are mixed at 5, 7.5 or 10 dB SNR. Everything is 16 kHz mono PCM16 with 0.2 s of silence either
side, as Silero hands an utterance to STT. Built once and cached under bench/.cache/.

    python -m bench.speech_set      # build (or load) the set and print what it holds
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soxr
from piper import PiperVoice
from piper.config import SynthesisConfig

from config.settings import Settings
from pipeline.models import load_piper, piper_voice_path

DATA = Path(__file__).parent / "data" / "stt_questions.json"
CACHE = Path(__file__).parent / ".cache"
RATE = 16000
PAD_S = 0.2
SNRS_DB = (5.0, 7.5, 10.0)
CONDITIONS = ("clean", "phone", "babble", "street")
_VERSION = 1  # bump when the way utterances are made changes


@dataclass(frozen=True)
class Utterance:
    id: str
    text: str
    keywords: tuple[str, ...]
    voice: str  # "piper:joe@1.2", "espeak:en-gb"
    condition: str
    snr_db: float | None
    pcm: bytes  # 16 kHz mono PCM16

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / RATE


def _spec() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def _to16k(audio: np.ndarray, rate: int) -> np.ndarray:
    return soxr.resample(audio.astype(np.float32), rate, RATE).astype(np.float32)


def _normalised(audio: np.ndarray, peak: float = 0.7) -> np.ndarray:
    pad = np.zeros(int(PAD_S * RATE), dtype=np.float32)
    return np.concatenate([pad, audio / max(1e-6, float(np.abs(audio).max())) * peak, pad])


def _piper(voice: PiperVoice, text: str, params: dict) -> np.ndarray:
    config = SynthesisConfig(
        length_scale=params.get("length_scale"),
        noise_scale=params.get("noise_scale"),
        noise_w_scale=params.get("noise_w_scale"),
    )
    audio = np.concatenate([c.audio_float_array for c in voice.synthesize(text, config)])
    return _to16k(audio, voice.config.sample_rate)


def _espeak(text: str, params: dict) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "say.wav"
        subprocess.run(
            ["espeak-ng", "-v", params["name"], "-s", str(params["speed"]), "-w", str(path), text],
            check=True,
            capture_output=True,
        )
        with wave.open(str(path)) as w:
            rate = w.getframerate()
            audio = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32) / 32768
    return _to16k(audio, rate)


def phone_band(audio: np.ndarray) -> np.ndarray:
    """What a phone call does to speech: 8 kHz, 300-3400 Hz, 8-bit mu-law, then up to 16 kHz."""
    narrow = soxr.resample(audio, RATE, 8000)
    spectrum = np.fft.rfft(narrow)
    freqs = np.fft.rfftfreq(len(narrow), 1 / 8000)
    spectrum[(freqs < 300) | (freqs > 3400)] = 0
    narrow = np.clip(np.fft.irfft(spectrum, len(narrow)), -1, 1)
    mu = 255.0
    coded = np.round(np.sign(narrow) * np.log1p(mu * np.abs(narrow)) / np.log1p(mu) * 127) / 127
    decoded = np.sign(coded) * np.expm1(np.abs(coded) * np.log1p(mu)) / mu
    return soxr.resample(decoded.astype(np.float32), 8000, RATE).astype(np.float32)


def babble(talkers: list[np.ndarray], n: int, rng: np.random.Generator) -> np.ndarray:
    """Six overlapping talkers, each time-reversed: the spectrum and rhythm of speech, no words."""
    out = np.zeros(n, dtype=np.float32)
    for i in rng.choice(len(talkers), size=min(6, len(talkers)), replace=False):
        t = talkers[i][::-1]
        t = t / max(1e-6, float(np.sqrt(np.mean(t**2))))
        looped = np.tile(t, n // len(t) + 2)
        start = int(rng.integers(0, len(t)))
        out += looped[start : start + n]
    return out


def street(n: int, rng: np.random.Generator) -> np.ndarray:
    """Traffic: low rumble, pink noise, cars passing (slow swells) and now and then a horn."""
    white = rng.standard_normal(n)
    spectrum = np.fft.rfft(white)
    freqs = np.fft.rfftfreq(n, 1 / RATE)
    pink = np.fft.irfft(spectrum / np.sqrt(np.maximum(freqs, 20.0)), n)
    rumble = np.fft.irfft(spectrum * (freqs < 150), n)
    t = np.arange(n) / RATE
    swell = 0.6 + 0.4 * np.sin(2 * np.pi * t / rng.uniform(2.0, 4.0) + rng.uniform(0, 6.3))
    noise = (pink / pink.std() + 1.5 * rumble / max(1e-9, rumble.std())) * swell
    if rng.random() < 0.5:  # a horn: two harmonic tones for a third of a second
        start, length = int(rng.integers(0, max(1, n - RATE // 3))), RATE // 3
        tt = np.arange(length) / RATE
        horn = np.sin(2 * np.pi * 420 * tt) + 0.6 * np.sin(2 * np.pi * 520 * tt)
        noise[start : start + length] += 2.0 * horn[: n - start]
    return noise.astype(np.float32)


def mix(speech: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """Speech plus noise at `snr_db`, speech power measured where the speech is (not the padding)."""
    active = speech[np.abs(speech) > 0.02 * np.abs(speech).max()]
    p_speech = float(np.mean(active**2)) if len(active) else 1e-6
    p_noise = float(np.mean(noise**2)) or 1e-9
    mixed = speech + noise * np.sqrt(p_speech / (p_noise * 10 ** (snr_db / 10)))
    return (mixed / max(1.0, float(np.abs(mixed).max()) / 0.95)).astype(np.float32)


def _render_clean(spec: dict, voice: PiperVoice, use_espeak: bool) -> list[tuple[int, str, np.ndarray]]:
    piper_voices, espeak_voices = spec["voices"]["piper"], spec["voices"]["espeak"]
    out = []
    for i, q in enumerate(spec["questions"]):
        for offset in (0, 2):
            p = piper_voices[(i + offset) % len(piper_voices)]
            out.append(
                (i, f"piper:{p['name']}@{p['length_scale']}", _normalised(_piper(voice, q["text"], p)))
            )
        if use_espeak:
            e = espeak_voices[i % len(espeak_voices)]
            out.append((i, f"espeak:{e['name']}", _normalised(_espeak(q["text"], e), peak=0.6)))
    return out


def build(settings: Settings | None = None) -> list[Utterance]:
    spec = _spec()
    use_espeak = shutil.which("espeak-ng") is not None
    voice_path = piper_voice_path(settings or Settings(_env_file=None))  # type: ignore[call-arg]
    voice = load_piper(voice_path, 1)
    clean = _render_clean(spec, voice, use_espeak)
    rng = np.random.default_rng(14)
    talkers = [a[int(PAD_S * RATE) : -int(PAD_S * RATE)] for _, _, a in clean]
    out: list[Utterance] = []
    for n, (qi, voice_name, audio) in enumerate(clean):
        q = spec["questions"][qi]
        snr = SNRS_DB[n % len(SNRS_DB)]
        others = [t for k, t in enumerate(talkers) if clean[k][0] != qi]
        variants = {
            "clean": (audio, None),
            "phone": (phone_band(audio), None),
            "babble": (mix(audio, babble(others, len(audio), rng), snr), snr),
            "street": (mix(audio, street(len(audio), rng), snr), snr),
        }
        for condition, (pcm, snr_db) in variants.items():
            out.append(
                Utterance(
                    id=f"q{qi:02d}-{n:03d}-{condition}",
                    text=q["text"],
                    keywords=tuple(q["keywords"]),
                    voice=voice_name,
                    condition=condition,
                    snr_db=snr_db,
                    pcm=(np.clip(pcm, -1, 1) * 32767).astype(np.int16).tobytes(),
                )
            )
    return out


def load(settings: Settings | None = None) -> list[Utterance]:
    """The set, from the cache when the questions (and this module's version) are unchanged."""
    digest = hashlib.sha256(DATA.read_bytes() + str(_VERSION).encode()).hexdigest()[:12]
    path = CACHE / f"speech_set-{digest}.npz"
    if path.exists():
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            return [
                Utterance(**{**m, "keywords": tuple(m["keywords"]), "pcm": data[m["id"]].tobytes()})
                for m in meta
            ]
    utterances = build(settings)
    CACHE.mkdir(parents=True, exist_ok=True)
    meta = [{k: v for k, v in u.__dict__.items() if k != "pcm"} for u in utterances]
    arrays = {u.id: np.frombuffer(u.pcm, dtype=np.int16) for u in utterances}
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, meta=np.array(json.dumps(meta)), **arrays)  # type: ignore[arg-type]
    tmp.replace(path)
    return utterances


def main() -> None:
    utterances = load()
    voices = sorted({u.voice for u in utterances})
    print(f"{len(utterances)} utterances, {sum(u.seconds for u in utterances):.0f} s of audio")
    for condition in CONDITIONS:
        print(f"  {condition}: {sum(u.condition == condition for u in utterances)}")
    print("  voices:", ", ".join(voices))


if __name__ == "__main__":
    main()
