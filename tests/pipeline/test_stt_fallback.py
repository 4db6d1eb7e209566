"""Cloud STT failures fall back to the local model for that turn, for real: a refused
connection, and a server that accepts and never answers."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import pytest

from pipeline.models import SpeechModels
from pipeline.stt import CloudSTTConfig, SpeechToText
from tests.voice_fixtures import speech, to_16k


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again: connecting is refused


async def _serve(handler: object) -> AsyncIterator[str]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)  # type: ignore[arg-type]
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.close()
        await server.wait_closed()


@pytest.fixture
async def hanging_url() -> AsyncIterator[str]:
    async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(30)
        writer.close()

    async for url in _serve(hang):
        yield url


@pytest.fixture
async def cloud_url() -> AsyncIterator[str]:
    """An OpenAI-compatible transcription endpoint that always hears the same words."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
        await reader.readexactly(length)
        body = json.dumps({"text": "Where does Jordan work right now?"}).encode()
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
            % (len(body), body)
        )
        await writer.drain()
        writer.close()

    async for url in _serve(answer):
        yield url


def _stt(models: SpeechModels, base_url: str, timeout_s: float = 2.0) -> SpeechToText:
    stt = SpeechToText(models.whisper, CloudSTTConfig(base_url, "test-key", "whisper-1", timeout_s))
    stt._sample_rate = 16000  # what the pipeline's StartFrame would set
    return stt


async def test_cloud_transcript_is_used_when_the_cloud_answers(models: SpeechModels, cloud_url: str) -> None:
    stt = _stt(models, cloud_url)
    text, _ = await stt._transcribe(to_16k(speech(models, "Which projects used Rust?")))
    assert (text, stt.last_source) == ("Where does Jordan work right now?", "cloud")


async def test_refused_cloud_falls_back_to_local(models: SpeechModels) -> None:
    stt = _stt(models, f"http://127.0.0.1:{_dead_port()}/v1")
    text, _ = await stt._transcribe(to_16k(speech(models, "Which projects used Rust?")))
    assert "rust" in text.lower() and stt.last_source == "local"


async def test_cloud_timeout_falls_back_to_local_in_time(models: SpeechModels, hanging_url: str) -> None:
    stt = _stt(models, hanging_url, timeout_s=0.5)
    loop = asyncio.get_running_loop()
    start = loop.time()
    text, _ = await stt._transcribe(to_16k(speech(models, "Which projects used Rust?")))
    assert "rust" in text.lower() and stt.last_source == "local"
    assert loop.time() - start < 10  # the turn waited for the timeout, not for the hung server
