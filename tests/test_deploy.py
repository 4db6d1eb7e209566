"""deploy/: the compose file and the Kubernetes manifests, checked by the tools that check them.

Kubernetes: every manifest against the Kubernetes JSON schemas, strictly (unknown fields fail),
with kubernetes-validate (the schemas ship in the wheel: no network here, where kubeconform
could not fetch its own). Compose: `docker compose config` when a compose binary is there
(scripts/install_compose.sh builds one), plus the structure checks below either way. Every
environment variable either file sets must be a real setting.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from config.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
K8S_VERSION = "1.33.0"
COMPOSE_BIN = Path(
    os.environ.get("COMPOSE_BIN", Path.home() / ".cache/resume-agent-bin/compose/docker-compose")
)
SETTINGS = {name.upper() for name in Settings.model_fields}


def manifests() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        docs.extend(d for d in yaml.safe_load_all(path.read_text()) if d)
    return docs


def by_kind(kind: str, name: str) -> dict[str, Any]:
    return next(d for d in manifests() if d["kind"] == kind and d["metadata"]["name"] == name)


@pytest.mark.parametrize("doc", manifests(), ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_manifest_is_valid_kubernetes(doc: dict[str, Any]) -> None:
    kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_the_schema_check_catches_mistakes() -> None:
    broken = by_kind("Deployment", "resume-agent-worker")
    broken["spec"]["template"]["spec"]["containers"][0]["lifecycle"]["preStop"]["exec"]["cmd"] = ["x"]
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)


def test_worker_drains_within_its_grace_period_and_scales() -> None:
    worker = by_kind("Deployment", "resume-agent-worker")["spec"]["template"]["spec"]
    container = worker["containers"][0]
    drain = float(container["args"][container["args"].index("--drain") + 1])
    assert worker["terminationGracePeriodSeconds"] > drain
    assert "kill -TERM 1" in " ".join(container["lifecycle"]["preStop"]["exec"]["command"])
    hpa = by_kind("HorizontalPodAutoscaler", "resume-agent-worker")["spec"]
    assert hpa["scaleTargetRef"]["name"] == "resume-agent-worker" and hpa["minReplicas"] >= 2
    serve = by_kind("Deployment", "resume-agent-serve")["spec"]["template"]["spec"]["containers"][0]
    assert serve["readinessProbe"]["httpGet"]["path"] == "/ready"


def test_configmap_sets_only_real_settings() -> None:
    assert set(by_kind("ConfigMap", "resume-agent")["data"]) <= SETTINGS


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    return loaded


def test_compose_has_the_parts_and_two_workers() -> None:
    services = compose()["services"]
    assert {"postgres", "redis", "livekit", "serve", "worker"} <= set(services)
    assert services["worker"]["deploy"]["replicas"] == 2
    assert services["worker"]["command"][:2] == ["resume-agent", "worker"]
    drain = float(services["worker"]["command"][services["worker"]["command"].index("--drain") + 1])
    assert float(services["worker"]["stop_grace_period"].rstrip("s")) > drain
    assert services["serve"]["environment"]["AGENT_IN_PROCESS"] == "false"
    for name in ("serve", "worker"):
        assert set(services[name]["environment"]) <= SETTINGS, name
    livekit = yaml.safe_load((DEPLOY / "livekit.compose.yaml").read_text())
    assert livekit["redis"]["address"].startswith("redis:")
    assert livekit["webhook"]["urls"] == ["http://serve:8000/api/livekit/webhook"]


def _compose_command() -> list[str] | None:
    if COMPOSE_BIN.exists():
        return [str(COMPOSE_BIN)]
    if (
        shutil.which("docker")
        and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    ):
        return ["docker", "compose"]
    return None


def test_docker_compose_config_accepts_it() -> None:
    command = _compose_command()
    if command is None:
        pytest.skip(f"no compose binary ({COMPOSE_BIN} or the docker compose plugin)")
    env = {**os.environ, "POSTGRES_PASSWORD": "x", "SECRET_KEY": "k" * 32, "LIVEKIT_API_SECRET": "s" * 32}
    done = subprocess.run(
        [*command, "-f", str(DEPLOY / "docker-compose.yml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    missing = subprocess.run(
        [*command, "-f", str(DEPLOY / "docker-compose.yml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        env={k: v for k, v in env.items() if k != "SECRET_KEY"},
        timeout=60,
    )
    assert missing.returncode != 0 and "SECRET_KEY" in missing.stderr  # required secrets are required
