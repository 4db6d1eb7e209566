"""SECRET_KEY: at least 32 bytes when set; generated once, atomically, mode 600, when not."""

from __future__ import annotations

import multiprocessing as mp
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from config import secret_key
from config.settings import Settings


def test_a_short_secret_key_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None, secret_key="short-but-secret-value")  # type: ignore[call-arg,arg-type]
    assert "at least 32 bytes" in str(refused.value)
    assert "short-but-secret-value" not in str(refused.value)
    ok = Settings(_env_file=None, secret_key="k" * 32)  # type: ignore[call-arg,arg-type]
    assert ok.resolved_secret_key() == "k" * 32


def _race(path: str, barrier: mp.synchronize.Barrier, out: mp.Queue) -> None:  # type: ignore[type-arg]
    barrier.wait()
    out.put(secret_key.load_or_create(Path(path)))


def test_first_starts_racing_agree_on_one_key(tmp_path: Path) -> None:
    ctx = mp.get_context("fork")
    for attempt in range(5):
        path = tmp_path / f"run{attempt}" / "secret_key"
        barrier, out = ctx.Barrier(8), ctx.Queue()
        procs = [ctx.Process(target=_race, args=(str(path), barrier, out)) for _ in range(8)]
        for p in procs:
            p.start()
        keys = {out.get(timeout=30) for _ in procs}
        for p in procs:
            p.join(timeout=30)
            assert p.exitcode == 0
        assert len(keys) == 1, keys
        assert keys == {path.read_text()}
        assert len(path.read_text().encode()) >= 32
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no temp files left


def test_the_generated_key_survives_restarts(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    first = settings.resolved_secret_key()
    assert Settings(_env_file=None, data_dir=tmp_path).resolved_secret_key() == first  # type: ignore[call-arg]


def test_a_tampered_short_key_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("abc")
    with pytest.raises(ValueError, match="at least 32 bytes"):
        Settings(_env_file=None, data_dir=tmp_path).resolved_secret_key()  # type: ignore[call-arg]
