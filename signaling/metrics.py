"""HTTP metrics (Prometheus). Other layers register their own metrics on the same default registry."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "resume_agent_http_requests_total",
    "HTTP requests by route, method and status",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "resume_agent_http_request_seconds",
    "HTTP request latency by route",
    ["route", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
HTTP_IN_FLIGHT = Gauge("resume_agent_http_in_flight", "HTTP requests being served")
RATE_LIMITED = Counter("resume_agent_rate_limited_total", "Requests refused by a rate limit", ["scope"])
RESUME_VERSION = Gauge("resume_agent_resume_version", "Version of the resume being served")
