"""Audio storage: the local folder, and S3 over HTTP against a real moto_server."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from config.settings import Settings
from signaling.background_server import free_port
from storage.audio import LocalAudioStore, S3AudioStore, open_audio_store
from tests.livekit.servers import wait_for_port

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(28)


async def test_local_store_round_trip_and_refuses_escapes(tmp_path: Path) -> None:
    store = LocalAudioStore(tmp_path)
    await store.put("session-1/turn-1.wav", WAV)
    assert await store.get("session-1/turn-1.wav") == WAV
    assert await store.keys("session-1") == ["session-1/turn-1.wav"]
    for bad in ("../x.wav", "/etc/passwd", "a/../../b", "", "a//b"):
        with pytest.raises(ValueError):
            await store.put(bad, WAV)


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    exe = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")
    port = free_port()
    proc = subprocess.Popen(
        [exe, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


async def test_s3_store_against_moto_server(moto_url: str, make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(
        s3_bucket="calls", s3_endpoint_url=moto_url, s3_access_key_id="test", s3_secret_access_key="test"
    )
    store = open_audio_store(settings)
    assert isinstance(store, S3AudioStore)
    await store.ensure_bucket()
    await store.put("s1/t1.wav", WAV)
    await store.put("s1/t2.wav", WAV + b"x")
    await store.put("s2/t1.wav", WAV)
    assert await store.get("s1/t2.wav") == WAV + b"x"
    assert await store.keys("s1/") == ["s1/t1.wav", "s1/t2.wav"]
    url = store.presign("s1/t1.wav", 60)
    async with httpx.AsyncClient() as client:
        assert (await client.get(url)).content == WAV
