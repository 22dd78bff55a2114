"""The docker files follow the Makefile and the compose file parses (no engine needed)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from shopthelook.servers import IDLE_PRIORITY

DOCKER = Path(__file__).resolve().parent.parent / "docker"


def compose_command() -> list[str]:
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    pytest.fail("neither `docker compose` nor `docker-compose` is installed (make test installs docker-compose)")


def config(**env: str) -> subprocess.CompletedProcess:
    cmd = [*compose_command(), "-f", str(DOCKER / "compose.yaml"), "config"]
    clean = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SECRET_KEY", "POSTGRES_PASSWORD")}
    return subprocess.run(cmd, env={**clean, **env}, capture_output=True, text=True, timeout=60, cwd=DOCKER)


def fleet() -> dict:
    """The compose file as compose itself resolves it (anchors merged, variables filled in)."""
    result = config(DJANGO_SECRET_KEY="k", POSTGRES_PASSWORD="p")
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)["services"]


def _queues(service: dict) -> list[str]:
    command = service["command"]
    return command[command.index("--queues") + 1].split(",")


WORKERS = ("looks-worker", "ingest-worker", "scrape-worker")


def test_compose_runs_web_a_worker_per_queue_beat_redis_and_postgres():
    services = fleet()
    assert set(services) == {"web", *WORKERS, "beat", "redis", "postgres"}
    assert "gunicorn" in (DOCKER / "Dockerfile").read_text()  # the web service runs the image's command
    app = services["web"]["environment"]
    assert app["DATABASE_URL"] == "postgres://shopthelook:p@postgres:5432/shopthelook"
    assert app["REDIS_URL"] == "redis://redis:6379/0"
    assert app["VECTOR_INDEX"] == "pgvector"


def test_each_queue_has_its_own_worker_and_every_task_is_routed_to_one_of_them(settings):
    from shopthelook.celery import app

    services = fleet()
    consumed = [q for w in WORKERS for q in _queues(services[w])]
    assert sorted(consumed) == sorted(settings.WORKER_QUEUES)  # each queue once: a scrape never blocks a look
    assert [_queues(services[w]) for w in WORKERS] == [["looks"], ["ingest"], ["scrape"]]
    app.loader.import_default_modules()
    tasks = [name for name in app.tasks if not name.startswith("celery.")]
    assert len(tasks) >= 9
    for name in tasks:
        assert app.amqp.router.route({}, name)["queue"].name in consumed, name


def test_every_service_restarts_and_has_a_health_check_that_asks_the_right_thing():
    services = fleet()
    for name, service in services.items():
        assert service.get("restart") == "unless-stopped", name
        assert service["healthcheck"]["test"], name
    for name in WORKERS:
        command = services[name]["command"]
        ping = " ".join(services[name]["healthcheck"]["test"]).replace("$$", "$")  # compose v1 keeps the escape
        node = command[command.index("--hostname") + 1].split("@")[0]
        assert f"inspect ping --destination {node}@$HOSTNAME" in ping, name  # its own node, not any worker
        assert services[name]["depends_on"]["web"]["condition"] == "service_healthy"  # migrated first
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "--appendonly" in services["redis"]["command"]  # queued looks survive a Redis restart


def test_the_looks_worker_can_be_scaled_and_only_web_publishes_a_port_on_loopback():
    services = fleet()
    looks = services["looks-worker"]
    assert "container_name" not in looks and "ports" not in looks  # --scale looks-worker=4 needs both absent
    assert [name for name, s in services.items() if s.get("ports")] == ["web"]
    (port,) = services["web"]["ports"]
    host = port["host_ip"] if isinstance(port, dict) else port.split(":")[0]  # compose v2 / v1 spell it so
    assert host == "127.0.0.1"
    assert [name for name, s in services.items() if "beat" in s.get("command", [])] == ["beat"]  # exactly one


@pytest.mark.django_db
def test_the_web_health_check_answers_while_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_compose_refuses_to_run_without_its_secrets():
    result = config()
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_image_installs_what_the_makefile_installs():
    dockerfile = (DOCKER / "Dockerfile").read_text()
    assert "chromium chromium-driver" in dockerfile
    assert "pip install -r requirements.txt" in dockerfile
    assert "migrate" in dockerfile and "ensure_staff" in dockerfile


def test_catalog_workers_yield_the_cpu_to_the_looks_worker():
    services = fleet()

    def idle(name: str) -> bool:
        return tuple(services[name]["command"][: len(IDLE_PRIORITY)]) == IDLE_PRIORITY

    assert not idle("looks-worker")
    assert idle("ingest-worker") and idle("scrape-worker")
