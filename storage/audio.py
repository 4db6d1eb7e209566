"""Call audio: a local folder by default, S3 (or any S3-compatible server) when S3_BUCKET is set.

Both stores take and give whole WAV files by key ("transcriptions/<session>/<n>.wav"); keys are
checked so a crafted name can never leave the folder or the session's prefix. Audio is kept for
AUDIO_RETENTION_H: on S3 by a lifecycle rule the service sets on the bucket, locally by `sweep`.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from pathlib import Path
from typing import Any, Protocol

from config.settings import Settings

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}(/[A-Za-z0-9][A-Za-z0-9._-]{0,127}){0,3}$")


def check_key(key: str) -> str:
    if not _KEY.match(key) or ".." in key:
        raise ValueError(f"invalid audio key {key!r}")
    return key


# The prefixes recordings live under (caller's turns, agent's turns), each followed by a session id.
RECORDING_PREFIXES = ("transcriptions", "responses")
LIFECYCLE_RULE_PREFIX = "resume-agent-expire-"


class AudioStore(Protocol):
    async def put(self, key: str, data: bytes, content_type: str = "audio/wav") -> None: ...
    async def get(self, key: str) -> bytes: ...
    async def keys(self, prefix: str) -> list[str]: ...
    async def delete(self, keys: list[str]) -> None: ...


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

    def path(self, key: str) -> Path:
        return self._path(key)

    async def delete(self, keys: list[str]) -> None:
        paths = [self._path(k) for k in keys]

        def _delete() -> None:
            for path in paths:
                path.unlink(missing_ok=True)
                # Drop the session's folder once it is empty (never the store's own folder).
                parent = path.parent
                if parent != self.folder and parent.is_dir() and not any(parent.iterdir()):
                    parent.rmdir()

        await asyncio.to_thread(_delete)

    async def sweep(self, max_age_s: float) -> list[str]:
        """Delete recordings older than `max_age_s`; returns their keys."""

        def _sweep() -> list[str]:
            cutoff = time.time() - max_age_s
            gone = []
            for top in RECORDING_PREFIXES:
                base = self.folder / top
                if not base.is_dir():
                    continue
                for path in base.rglob("*"):
                    if path.is_file() and path.stat().st_mtime < cutoff:
                        path.unlink(missing_ok=True)
                        gone.append(str(path.relative_to(self.folder)))
                for folder in sorted((p for p in base.iterdir() if p.is_dir()), reverse=True):
                    if not any(folder.iterdir()):
                        folder.rmdir()
            return gone

        return await asyncio.to_thread(_sweep)

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
        from botocore.config import Config

        assert settings.s3_bucket
        self.bucket = settings.s3_bucket
        self._client: Any = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            # SigV4 presigned links (what current S3 regions and MinIO require), with their expiry.
            config=Config(signature_version="s3v4"),
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

    async def delete(self, keys: list[str]) -> None:
        def _delete() -> None:
            for i in range(0, len(keys), 1000):  # the API's limit per request
                batch = [{"Key": check_key(k)} for k in keys[i : i + 1000]]
                self._client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})

        if keys:
            await asyncio.to_thread(_delete)

    async def ensure_lifecycle(self, retention_h: int) -> list[dict[str, Any]]:
        """Expire recordings after `retention_h` (S3 counts whole days: rounded up) by a bucket rule.

        Rules of others on the same bucket are kept; ours are replaced. Returns the rules set.
        """
        days = max(1, math.ceil(retention_h / 24))

        def _apply() -> list[dict[str, Any]]:
            try:
                current = self._client.get_bucket_lifecycle_configuration(Bucket=self.bucket)["Rules"]
            except self._client.exceptions.ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "NoSuchLifecycleConfiguration":
                    raise
                current = []
            others = [r for r in current if not str(r.get("ID", "")).startswith(LIFECYCLE_RULE_PREFIX)]
            ours = [
                {
                    "ID": f"{LIFECYCLE_RULE_PREFIX}{prefix}",
                    "Filter": {"Prefix": f"{prefix}/"},
                    "Status": "Enabled",
                    "Expiration": {"Days": days},
                }
                for prefix in RECORDING_PREFIXES
            ]
            rules = others + ours
            self._client.put_bucket_lifecycle_configuration(
                Bucket=self.bucket, LifecycleConfiguration={"Rules": rules}
            )
            return rules

        return await asyncio.to_thread(_apply)

    def presign(self, key: str, expires_s: int = 300) -> str:
        url: str = self._client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": check_key(key)}, ExpiresIn=expires_s
        )
        return url


def open_audio_store(settings: Settings) -> LocalAudioStore | S3AudioStore:
    if settings.s3_bucket:
        return S3AudioStore(settings)
    return LocalAudioStore(settings.data_dir / "audio")
