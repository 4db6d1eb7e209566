"""Schemathesis against the service's own OpenAPI schema, over loopback: no 5xx, every answer
documented (status, content type, headers) and matching its schema, valid data accepted and
invalid data refused. Examples per operation are bounded (API_FUZZ_EXAMPLES, default 25) so
the run fits in CI; each operation runs with no credentials and with an owner key.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any

import asyncpg
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.settings import Settings
from signaling.background_server import LiveServer, live_server
from storage.api_keys import create_key

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "25"))
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Valid for the schema yet refused with a clear 4xx, by rules a JSON Schema does not express:
# an SDP offer aiortc cannot parse, a resume whose dates are not YYYY-MM (or that holds NUL).
# Inputs whose validity the schema cannot express: SDP and resume semantics, and opaque tokens
# the service itself issued (a page cursor, a signed audio link).
SEMANTIC_BODIES = {"POST /api/offer", "PUT /api/resume", "GET /api/calls", "GET /api/audio/{key}"}


@pytest.fixture(scope="module")
def fuzzed_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    # A database of its own: valid fuzzed resumes replace the owner's resume.
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=tmp_path_factory.mktemp("fuzz"),
        rate_limit_enabled=False,
        voice_preload=False,
        log_level="ERROR",
        load_threshold=1000.0,  # fuzzed offers must reach the SDP checks, not a measured-load 503
    )
    with live_server(settings) as server:
        ctx = server.app.state.ctx

        async def key() -> str:
            conn = await asyncpg.connect(ctx.storage.database_url)
            try:
                return await create_key(conn, ctx.owner_id, "fuzz")
            finally:
                await conn.close()

        yield server, asyncio.run(key())


def operations(server: LiveServer) -> list[Any]:
    schema = schemathesis.openapi.from_dict(server.app.openapi())
    # No NUL in generated strings: the API refuses it in every JSON body (Postgres text cannot
    # hold it), a rule OpenAPI cannot state; test_request_bodies.py tests that refusal.
    schema.config.generation.update(allow_x00=False, codec="utf-8")
    found = []
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # raises if our own schema is invalid
        found.append(operation)
    return found


def fuzz(
    operation: Any,
    mode: GenerationMode,
    base_url: str,
    headers: dict[str, str],
    checks: list[Callable[..., Any]],
) -> tuple[int, list[str]]:
    ran, failures = 0, []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        nonlocal ran
        ran += 1
        try:
            case.call_and_validate(base_url=base_url, headers=headers, checks=checks, timeout=30)
        except BaseException as exc:  # schemathesis raises a FailureGroup (a BaseExceptionGroup)
            if isinstance(exc, KeyboardInterrupt):
                raise
            failures.append(str(exc).split("Reproduce with")[0].strip()[:800])

    with contextlib.suppress(Unsatisfiable):  # nothing invalid to send: no parameters, no body
        run()
    return ran, failures


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_every_operation_conforms_to_its_schema(
    fuzzed_service: tuple[LiveServer, str], mode: GenerationMode, record_property: Any
) -> None:
    server, owner_key = fuzzed_service
    report: dict[str, int] = {}
    problems: list[str] = []
    for operation in operations(server):
        label = operation.label
        checks = list(CONFORMANCE)
        if mode == GenerationMode.POSITIVE and label not in SEMANTIC_BODIES:
            checks.append(positive_data_acceptance)
        if mode == GenerationMode.NEGATIVE:
            checks.append(negative_data_rejection)
        for credentials in ({}, {"Authorization": f"Bearer {owner_key}"}):
            ran, failures = fuzz(operation, mode, server.url, credentials, checks)
            report[label] = report.get(label, 0) + ran
            problems += [f"{label} ({'key' if credentials else 'anonymous'}): {f}" for f in failures]
    record_property("schemathesis", report)
    print(f"schemathesis {mode.value}: {report}")
    assert sum(1 for n in report.values() if n) >= (11 if mode == GenerationMode.POSITIVE else 5), report
    assert problems == [], "\n\n".join(problems[:10])
