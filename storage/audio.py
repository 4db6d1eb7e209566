"""Call audio: a local folder by default, S3 (or any S3-compatible server) when S3_BUCKET is set.

Both stores take and give whole WAV files by key ("<session>/<turn>.wav"); keys are checked
so a crafted name can never leave the folder or the session's prefix.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any, Protocol

from config.settings import Settings

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}(/[A-Za-z0-9][A-Za-z0-9._-]{0,127}){0,3}$")


def check_key(key: str) -> str:
    if not _KEY.match(key) or ".." in key:
        raise ValueError(f"invalid audio key {key!r}")
    return key


class AudioStore(Protocol):
    async def put(self, key: str, data: bytes, content_type: str = "audio/wav") -> None: ...
    async def get(self, key: str) -> bytes: ...
    async def keys(self, prefix: str) -> list[str]: ...


class LocalAudioStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()

    def _path(self, key: str) -> Path:
        return self.folder / check_key(key)

    async def put(self, key: str, data: bytes, content_type: str = "audio/wav") -> None:
        path = self._path(key)

        def _write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(path.suffix + ".part")
            tmp.write_bytes(data)
            tmp.replace(path)  # readers never see half a file

        await asyncio.to_thread(_write)

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._path(key).read_bytes)

    async def keys(self, prefix: str) -> list[str]:
        base = self.folder / check_key(prefix) if prefix else self.folder
        if not base.exists():
            return []
        return sorted(
            str(p.relative_to(self.folder))
            for p in base.rglob("*")
            if p.is_file() and not p.name.endswith(".part")
        )


class S3AudioStore:
    def __init__(self, settings: Settings) -> None:
        import boto3  # only S3 users pay for the import

        assert settings.s3_bucket
        self.bucket = settings.s3_bucket
        self._client: Any = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key_id,
            aws_secret_access_key=(
                settings.s3_secret_access_key.get_secret_value() if settings.s3_secret_access_key else None
            ),
        )

    async def ensure_bucket(self) -> None:
        def _ensure() -> None:
            existing = {b["Name"] for b in self._client.list_buckets().get("Buckets", [])}
            if self.bucket not in existing:
                self._client.create_bucket(Bucket=self.bucket)

        await asyncio.to_thread(_ensure)

    async def put(self, key: str, data: bytes, content_type: str = "audio/wav") -> None:
        await asyncio.to_thread(
            self._client.put_object,
            Bucket=self.bucket,
            Key=check_key(key),
            Body=data,
            ContentType=content_type,
        )

    async def get(self, key: str) -> bytes:
        response = await asyncio.to_thread(self._client.get_object, Bucket=self.bucket, Key=check_key(key))
        body: bytes = response["Body"].read()
        return body

    async def keys(self, prefix: str) -> list[str]:
        def _list() -> list[str]:
            pages = self._client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
            return sorted(obj["Key"] for page in pages for obj in page.get("Contents", []))

        return await asyncio.to_thread(_list)

    def presign(self, key: str, expires_s: int = 300) -> str:
        url: str = self._client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": check_key(key)}, ExpiresIn=expires_s
        )
        return url


def open_audio_store(settings: Settings) -> LocalAudioStore | S3AudioStore:
    if settings.s3_bucket:
        return S3AudioStore(settings)
    return LocalAudioStore(settings.data_dir / "audio")
