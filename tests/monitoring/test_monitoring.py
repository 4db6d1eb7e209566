"""The ops user's monitoring: alert rules pass promtool (syntax and unit tests), and every query of
the Grafana dashboard parses and names metrics, and labels, that the service exports."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY

import agent.worker  # noqa: F401 - registers the job metrics
import signaling.app  # noqa: F401 - registers every other metric of the service

MONITORING = Path(__file__).resolve().parents[2] / "monitoring"
DASHBOARD = MONITORING / "grafana" / "resume-agent.json"
RULES = MONITORING / "prometheus" / "alerts.yml"
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason="promtool (Debian: prometheus) is not installed")

METRIC = re.compile(r"\bresume_agent_[a-z0-9_]+\b")
# Label names in matchers {a="x", b=~"y"} and in by (...) / without (...) clauses.
MATCHER_LABELS = re.compile(r"([a-z_]+)\s*(?:=~|!~|!=|=)\s*\"")
GROUPING = re.compile(r"\b(?:by|without)\s*\(([^)]*)\)")
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h"}


def exported() -> dict[str, set[str]]:
    """Every series name the service's registry exposes -> the label names it carries."""
    names: dict[str, set[str]] = {}
    for collector in list(REGISTRY._collector_to_names):  # the registry's own index of collectors
        labels = set(getattr(collector, "_labelnames", ()))
        describe = getattr(collector, "describe", None)
        for metric in describe() if describe else collector.collect():
            suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_sum", "_count"]}.get(
                metric.type, [""]
            )
            for suffix in suffixes:
                names[metric.name + suffix] = labels | ({"le"} if suffix == "_bucket" else set())
    return names


def dashboard_queries() -> list[tuple[str, str]]:
    def walk(panels: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for p in panels:
            out.append(p)
            out += walk(p.get("panels", []))
        return out

    data = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return [
        (p["title"], t["expr"])
        for p in walk(data["panels"])
        if p["type"] != "row"
        for t in p.get("targets", [])
    ]


def rule_queries() -> list[tuple[str, str]]:
    groups = yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"]
    return [(r["alert"], r["expr"]) for g in groups for r in g["rules"]]


def _check_names(queries: list[tuple[str, str]]) -> list[str]:
    series = exported()
    problems = []
    for title, expr in queries:
        used = METRIC.findall(expr)
        if not used and "up{" not in expr:
            problems.append(f"{title}: names no metric of the service")
        for name in used:
            if name not in series:
                problems.append(f"{title}: {name} is not exported")
                continue
            known = series[name] | {n for other in used for n in series.get(other, set())}
            labels = set(MATCHER_LABELS.findall(expr))
            for group in GROUPING.findall(expr):
                labels |= {label.strip() for label in group.split(",") if label.strip()}
            labels -= {"job", "instance"}  # Prometheus' own target labels
            for label in labels - known:
                problems.append(f"{title}: {name} has no label {label!r}")
    return problems


def test_every_dashboard_panel_queries_metrics_the_service_exports() -> None:
    queries = dashboard_queries()
    assert len(queries) >= 20
    assert _check_names(queries) == []
    data = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    titles = " ".join(p["title"].lower() for p in data["panels"])
    for topic in ("calls", "latency", "load", "error", "fallback", "cost"):
        assert topic in titles, f"the dashboard has nothing on {topic}"


def test_alert_rules_name_exported_metrics() -> None:
    assert _check_names(rule_queries()) == []


@needs_promtool
def test_alert_rules_pass_promtool_check_and_unit_tests() -> None:
    assert PROMTOOL is not None
    check = subprocess.run([PROMTOOL, "check", "rules", str(RULES)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    tests = subprocess.run(
        [PROMTOOL, "test", "rules", "alerts_test.yml"], cwd=RULES.parent, capture_output=True, text=True
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr


@needs_promtool
def test_every_dashboard_query_is_valid_promql(tmp_path: Path) -> None:
    """promtool parses each query as a recording rule (Grafana's variables given values)."""
    assert PROMTOOL is not None
    rules = []
    for i, (_, expr) in enumerate(dashboard_queries()):
        for variable, value in GRAFANA_VARIABLES.items():
            expr = expr.replace(variable, value)
        rules.append({"record": f"dashboard:query_{i}", "expr": expr})
    path = tmp_path / "dashboard_rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    check = subprocess.run([PROMTOOL, "check", "rules", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
