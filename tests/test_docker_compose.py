"""docker-compose.yaml cannot run here (no Docker engine), so check its structure."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
AIRFLOW_SERVICES = {
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-worker",
    "airflow-triggerer",
    "airflow-init",
}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yaml").read_text())


def test_has_every_service_of_a_celery_deployment(compose):
    services = set(compose["services"])
    assert {"postgres", "redis", "qbo-emulator"} | AIRFLOW_SERVICES <= services


def test_airflow_services_run_airflow_3_3_with_celery(compose):
    for name in AIRFLOW_SERVICES:
        service = compose["services"][name]
        assert service["image"].startswith("${AIRFLOW_IMAGE_NAME:-apache/airflow:3.3."), name
        env = service["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert "redis" in env["AIRFLOW__CELERY__BROKER_URL"], name
        # Workers and the API server must share one JWT secret.
        assert env["AIRFLOW__API_AUTH__JWT_SECRET"].startswith("${AIRFLOW_JWT_SECRET"), name
        assert "/opt/airflow/include" in env["PYTHONPATH"], name
        assert env["AIRFLOW_CONN_QBO_SYNC_DB"], name


def test_long_running_services_have_health_checks(compose):
    for name, service in compose["services"].items():
        if name == "airflow-init":
            continue
        check = service.get("healthcheck", {}).get("test")
        assert check, f"{name} has no health check"


def test_api_server_health_check_uses_the_version_endpoint(compose):
    test = compose["services"]["airflow-apiserver"]["healthcheck"]["test"]
    assert any("/api/v2/version" in part for part in test)


def test_every_mounted_host_path_exists_in_the_repo(compose):
    mounts = []
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            host = volume.split(":", 1)[0]
            if host.startswith("."):
                mounts.append((name, host))
    assert mounts, "the project should be mounted into the Airflow containers"
    for name, host in mounts:
        assert (ROOT / host).exists(), f"{name} mounts {host}, which is not in the repo"


def test_emulator_is_optional(compose):
    assert compose["services"]["qbo-emulator"].get("profiles") == ["emulator"]


def test_no_secret_is_written_into_the_file():
    text = (ROOT / "docker-compose.yaml").read_text()
    for variable in ("AIRFLOW__CORE__FERNET_KEY", "QBO_SYNC_FERNET_KEY", "AIRFLOW__API_AUTH__JWT_SECRET"):
        line = next(line for line in text.splitlines() if f"{variable}:" in line)
        assert "${" in line, f"{variable} must come from the environment, not the file"
