"""OpenTelemetry traces over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set.

Calls are traced by Pipecat's own tracing (`PipelineWorker(enable_tracing=True)`): a
`conversation` span per call and a `turn` span per exchange beneath it (with the user-to-bot
latency); we name the conversation by the session id. (Pipecat's STT/TTS spans come from
decorators on its own services; ours are not decorated.) Typed questions on the REST endpoint
get a `query` span of their own (signaling/routes/query.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from config.settings import Settings

log = logging.getLogger(__name__)

_provider: Any = None


def otlp_traces_url(endpoint: str) -> str:
    """The traces URL under an OTLP base endpoint (as the OTel spec reads the variable)."""
    endpoint = endpoint.rstrip("/")
    return endpoint if endpoint.endswith("/v1/traces") else endpoint + "/v1/traces"


def setup_tracing(settings: Settings) -> bool:
    """Install the process's tracer provider once; False (and nothing installed) when not configured."""
    global _provider
    if _provider is not None:
        return True
    if not settings.otel_exporter_otlp_endpoint:
        return False
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": settings.otel_service_name}))
    exporter = OTLPSpanExporter(endpoint=otlp_traces_url(settings.otel_exporter_otlp_endpoint), timeout=5)
    provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=1000))
    trace.set_tracer_provider(provider)
    _provider = provider
    log.info("tracing to %s", otlp_traces_url(settings.otel_exporter_otlp_endpoint))
    return True


def tracing_enabled() -> bool:
    return _provider is not None


def shutdown_tracing() -> None:
    """Send what is buffered (at service stop)."""
    if _provider is not None:
        _provider.force_flush(5000)


@contextmanager
def span(name: str, **attributes: str | int | float | bool) -> Iterator[Any]:
    """A span when tracing is on, else nothing (no cost)."""
    if _provider is None:
        yield None
        return
    from opentelemetry import trace

    with trace.get_tracer("resume_agent").start_as_current_span(name, attributes=attributes) as current:
        yield current
