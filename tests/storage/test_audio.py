"""Audio storage: the local folder, and S3 over HTTP against a real moto_server."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from config.settings import Settings
from storage.audio import LocalAudioStore, S3AudioStore, open_audio_store

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(28)


async def test_local_store_round_trip_and_refuses_escapes(tmp_path: Path) -> None:
    store = LocalAudioStore(tmp_path)
    await store.put("session-1/turn-1.wav", WAV)
    assert await store.get("session-1/turn-1.wav") == WAV
    assert await store.keys("session-1") == ["session-1/turn-1.wav"]
    for bad in ("../x.wav", "/etc/passwd", "a/../../b", "", "a//b"):
        with pytest.raises(ValueError):
            await store.put(bad, WAV)


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


async def test_s3_bucket_gets_the_retention_lifecycle_rule_and_keeps_others(
    moto_url: str, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(
        s3_bucket="rules", s3_endpoint_url=moto_url, s3_access_key_id="test", s3_secret_access_key="test"
    )
    store = open_audio_store(settings)
    assert isinstance(store, S3AudioStore)
    await store.ensure_bucket()
    other = {
        "ID": "someone-elses",
        "Filter": {"Prefix": "logs/"},
        "Status": "Enabled",
        "Expiration": {"Days": 7},
    }
    store._client.put_bucket_lifecycle_configuration(
        Bucket="rules", LifecycleConfiguration={"Rules": [other]}
    )
    await store.ensure_lifecycle(24)
    await store.ensure_lifecycle(30)  # applied again (a restart with a new setting): replaced, not added
    rules = store._client.get_bucket_lifecycle_configuration(Bucket="rules")["Rules"]
    ours = {
        r["Filter"]["Prefix"]: r["Expiration"]["Days"] for r in rules if r["ID"].startswith("resume-agent")
    }
    assert ours == {"transcriptions/": 2, "responses/": 2}  # 30 h: S3 counts whole days
    assert any(r["ID"] == "someone-elses" for r in rules)


async def test_s3_delete_and_presigned_links_carry_their_expiry(
    moto_url: str, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(
        s3_bucket="gone", s3_endpoint_url=moto_url, s3_access_key_id="test", s3_secret_access_key="test"
    )
    store = open_audio_store(settings)
    assert isinstance(store, S3AudioStore)
    await store.ensure_bucket()
    await store.put("responses/s1/a.wav", WAV)
    await store.put("responses/s1/b.wav", WAV)
    await store.put("responses/s2/a.wav", WAV)
    await store.delete(["responses/s1/a.wav", "responses/s1/b.wav"])
    assert await store.keys("responses/") == ["responses/s2/a.wav"]
    url = store.presign("responses/s2/a.wav", 90)
    async with httpx.AsyncClient() as client:
        assert (await client.get(url)).status_code == 200
    # moto_server does not enforce a presigned URL's expiry (S3 does): check what the link asks for.
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["90"] and "X-Amz-Signature" in query


async def test_local_delete_and_sweep_by_age(tmp_path: Path) -> None:
    store = LocalAudioStore(tmp_path)
    for key in ("transcriptions/s1/1.wav", "responses/s1/1.wav", "responses/s2/1.wav", "other/keep.wav"):
        await store.put(key, WAV)
    old = time.time() - 3 * 3600
    for key in ("transcriptions/s1/1.wav", "responses/s1/1.wav", "other/keep.wav"):
        os.utime(store.path(key), (old, old))
    assert sorted(await store.sweep(2 * 3600)) == ["responses/s1/1.wav", "transcriptions/s1/1.wav"]
    assert await store.keys("") == ["other/keep.wav", "responses/s2/1.wav"]  # empty folders gone too
    assert not (tmp_path / "transcriptions" / "s1").exists()
    await store.delete(["responses/s2/1.wav", "responses/s2/never.wav"])
    assert await store.keys("responses") == []
