"""docker-compose.yaml cannot run here (no Docker engine), so check its structure."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

from support.live import CELERY_ENV, read_env_file

ROOT = Path(__file__).resolve().parents[1]
LIVE_TEST = ROOT / "tests" / "system" / "test_celery_executor.py"
# Per deployment, so in docker-compose.yaml (and built by the live test): where Redis and
# the result database are.
PER_DEPLOYMENT = {"AIRFLOW__CELERY__BROKER_URL", "AIRFLOW__CELERY__RESULT_BACKEND"}
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


def celery_env(service: dict) -> dict[str, str]:
    """What the service's env_file entries set (Compose reads them relative to the file)."""
    files = service.get("env_file", [])
    values: dict[str, str] = {}
    for path in [files] if isinstance(files, str) else files:
        values.update(read_env_file(ROOT / path))
    return values


def celery_setting(key: str) -> bool:
    return key.startswith(("AIRFLOW__CELERY", "AIRFLOW__CORE__EXECUTOR"))


def test_has_every_service_of_a_celery_deployment(compose):
    services = set(compose["services"])
    assert {"postgres", "redis", "qbo-emulator"} | AIRFLOW_SERVICES <= services


def test_airflow_services_run_airflow_3_3_with_celery(compose):
    for name in AIRFLOW_SERVICES:
        service = compose["services"][name]
        assert service["image"].startswith("${AIRFLOW_IMAGE_NAME:-apache/airflow:3.3."), name
        env = {**celery_env(service), **service["environment"]}  # Compose: environment wins
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


def test_celery_settings_come_from_one_file_shared_with_the_live_test(compose):
    shared = read_env_file(CELERY_ENV)
    assert shared["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert {
        "AIRFLOW__CELERY__WORKER_CONCURRENCY",
        "AIRFLOW__CELERY__TASK_ACKS_LATE",
        "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT",
    } <= set(shared)
    for name in AIRFLOW_SERVICES:
        service = compose["services"][name]
        assert [(ROOT / f).resolve() for f in service["env_file"]] == [CELERY_ENV.resolve()], name
        assert celery_env(service) == shared, name
        # No service sets a Celery setting of its own beside the file (nor overrides one).
        own = {k for k in service["environment"] if celery_setting(k) or k in shared}
        assert own <= PER_DEPLOYMENT, f"{name} sets {own - PER_DEPLOYMENT} outside config/celery.env"


def test_the_live_celery_test_reads_the_file_and_overrides_none_of_it():
    source = LIVE_TEST.read_text()
    tree = ast.parse(source)
    assert any(isinstance(n, ast.Call) and getattr(n.func, "id", "") == "read_env_file" for n in ast.walk(tree))
    keys = {
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value.startswith("AIRFLOW__")
    }
    shared = set(read_env_file(CELERY_ENV))
    assert not keys & shared, f"the live test overrides {keys & shared} from config/celery.env"
    assert {k for k in keys if celery_setting(k)} <= PER_DEPLOYMENT


def test_the_env_file_is_plain_key_value_lines():
    # Docker Compose and read_env_file must read it alike: no quotes, no inline comments.
    for line in CELERY_ENV.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            assert key.isupper() and key.replace("_", "").isalnum(), line
            assert value and not value.startswith(("'", '"')) and " #" not in value, line
