"""Development tooling: start the servers `make run`, benchmarks and tests need on 127.0.0.1, and stop them.

Redis, a Celery worker, PostgreSQL (with pgvector) and the demo store, each a child process on a
free or given port; nothing here is used by the deployed app.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

import redis


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a server could bind `port` now (as servers do, ignoring old TIME_WAIT sockets)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


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


def start_redis(port: int, workdir: Path, persistent: bool = False) -> subprocess.Popen:
    """A redis-server on 127.0.0.1:`port`: throwaway, or `persistent` as the fleet runs it (an
    append-only file in `workdir`, written every second, so a restart keeps the queues)."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise FileNotFoundError("redis-server is not installed (Debian package: redis-server)")
    workdir.mkdir(parents=True, exist_ok=True)
    durability = ["--appendonly", "yes", "--appendfsync", "everysec"] if persistent else ["--appendonly", "no"]
    proc = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", *durability, "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    wait_for_redis(f"redis://127.0.0.1:{port}/0")
    return proc


def start_demo_store(
    port: int, products: int, seed: int, timeout: float = 60.0, model_shots: str = "stylist"
) -> subprocess.Popen:
    """The synthetic demo shop as its own process (`python -m synthetic.server`) on 127.0.0.1:`port`.

    A process, not an import: the app reaches the demo shop over HTTP like any other shop.
    """
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "synthetic.server",
            "--port",
            str(port),
            "--products",
            str(products),
            "--seed",
            str(seed),
            "--model-shots",
            model_shots,
        ],
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.DEVNULL,
    )
    wait_for_http(f"http://127.0.0.1:{port}/", proc, timeout)
    return proc


def wait_for_http(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    """Wait until `url` answers; stop `proc` and raise if it exits or `timeout` passes first."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                stop(proc)
                raise RuntimeError(f"{url} did not answer") from None
            time.sleep(0.2)


# Catalog work (scrapes with their Chromium, embedding) yields the CPU to a shopper's look when both
# share a machine: it runs in Linux's idle scheduling class, so it gets only the time no look wants.
# At nice 10 a look's p95 during a 600-product scrape was 2.2x its idle p95; idle-class, 1.3x
# (stress_looks). A long burst of looks pauses a scrape rather than slowing the looks.
IDLE_PRIORITY = ("chrt", "--idle", "0")


def start_celery_worker(
    env: dict[str, str],
    concurrency: int = 1,
    log_level: str = "INFO",
    beat_schedule: Path | None = None,
    queues: Sequence[str] = (),
    name: str = "stl",
    idle_priority: bool = False,
) -> subprocess.Popen:
    """A Celery worker for this project, as a child process with the given environment.

    It consumes `queues` (of settings.WORKER_QUEUES), or every queue when none is named. With `beat_schedule`
    it also runs the periodic tasks (stale-look sweep, upload retention), keeping their last-run
    times in that file. With `idle_priority` it, and its children (Chromium too), run only on idle CPU.
    """
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
        f"{name}-{os.getpid()}@%h",
    ]
    if queues:
        cmd += ["--queues", ",".join(queues)]
    if beat_schedule is not None:
        cmd += ["--beat", "--schedule", str(beat_schedule)]
    if idle_priority:
        cmd = [*IDLE_PRIORITY, *cmd]
    return subprocess.Popen(cmd, env={**os.environ, **env})


def child_pids(pid: int) -> list[int]:
    """The direct children of process `pid` (a Celery worker's pool processes), from /proc: of every one of
    its threads, since a child is listed under the thread that started it (Selenium starts Chromium's)."""
    found = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(c) for c in children.read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue  # the thread ended meanwhile
    return sorted(set(found))


def descendants(pid: int) -> list[int]:
    """Every process below `pid`: its children, theirs, and so on (a worker's pool, a scrape's Chromium)."""
    out = []
    for child in child_pids(pid):
        out += [child, *descendants(child)]
    return out


def _started_at(pid: int) -> str | None:
    """When process `pid` started (field 22 of /proc/pid/stat), so a reused pid is never mistaken for it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def stop(proc: subprocess.Popen | None, timeout: float = 10.0) -> None:
    """Ask a child to stop (SIGTERM), kill it if it has not after `timeout`, reap it, and kill what it left.

    A worker stopped in the middle of a scrape would otherwise leave its pool process's Chromium running:
    the processes below it are listed first, and any still alive once it is gone are killed.
    """
    if proc is None:
        return
    if proc.poll() is not None:
        proc.wait()
        return
    below = [(pid, _started_at(pid)) for pid in descendants(proc.pid)]
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    for pid, started in below:
        if started is not None and _started_at(pid) == started:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def point_celery_at(broker_url: str) -> str:
    """Send this process's tasks to `broker_url`; returns the previous URL.

    Celery caches its producer pool, and app.close() skips a pool that holds no connection
    (an empty kombu pool is falsy), so the cached pools are dropped here by hand.
    """
    from shopthelook.celery import app

    old = app.conf.broker_url
    app.conf.broker_url = broker_url
    app._pool = None
    app.amqp._producer_pool = None
    return old
