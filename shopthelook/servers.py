"""Start local servers the app needs (Redis, a Celery worker) on 127.0.0.1, and stop them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import redis

from scraper.demo_store.server import free_port, port_free

__all__ = ["free_port", "port_free", "start_celery_worker", "start_redis", "stop"]


def wait_for_redis(url: str, timeout: float = 10.0) -> None:
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + timeout
    while True:
        try:
            client.ping()
            return
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def start_redis(port: int, workdir: Path) -> subprocess.Popen:
    """A throwaway redis-server on 127.0.0.1:`port` that keeps nothing on disk."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise FileNotFoundError("redis-server is not installed (Debian package: redis-server)")
    workdir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    wait_for_redis(f"redis://127.0.0.1:{port}/0")
    return proc


def start_celery_worker(env: dict[str, str], concurrency: int = 1, log_level: str = "INFO") -> subprocess.Popen:
    """A Celery worker for this project, as a child process with the given environment."""
    cmd = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "shopthelook",
        "worker",
        "--loglevel",
        log_level,
        "--concurrency",
        str(concurrency),
        "--pool",
        "prefork",
        "--without-gossip",
        "--without-mingle",
        "--hostname",
        f"stl-{os.getpid()}@%h",
    ]
    return subprocess.Popen(cmd, env={**os.environ, **env})


def stop(proc: subprocess.Popen | None, timeout: float = 10.0) -> None:
    """Ask a child to stop (SIGTERM), kill it if it has not after `timeout`, and reap it."""
    if proc is None:
        return
    if proc.poll() is not None:
        proc.wait()
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
