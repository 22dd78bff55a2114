"""The docker files follow the Makefile and the compose file parses (no engine needed)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

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


def test_compose_file_parses_into_the_four_services():
    result = config(DJANGO_SECRET_KEY="k", POSTGRES_PASSWORD="p")
    assert result.returncode == 0, result.stderr
    for service in ("web:", "worker:", "redis:", "postgres:"):
        assert f"  {service}" in result.stdout
    assert "DATABASE_URL: postgres://shopthelook:p@postgres:5432/shopthelook" in result.stdout
    assert "REDIS_URL: redis://redis:6379/0" in result.stdout


def test_compose_refuses_to_run_without_its_secrets():
    result = config()
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_image_installs_what_the_makefile_installs():
    dockerfile = (DOCKER / "Dockerfile").read_text()
    assert "chromium chromium-driver" in dockerfile
    assert "pip install -r requirements.txt" in dockerfile
    assert "migrate" in dockerfile and "ensure_staff" in dockerfile
