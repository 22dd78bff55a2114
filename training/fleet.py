"""A whole fleet on 127.0.0.1 for load and fault runs: PostgreSQL with pgvector, Redis, gunicorn, Celery workers, beat.

Each part is the process the compose file runs, started here as a child with the same settings,
so a fault (a killed worker, a restarted Redis or PostgreSQL) hits the real thing. The fleet
talks to its own database and media folder in a scratch directory; nothing of var/ is touched.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request
import uuid
from pathlib import Path

import psycopg

from shopthelook.postgres_server import pgvector_postgres_bindir, start_postgres
from shopthelook.servers import (
    child_pids,
    free_port,
    start_celery_worker,
    start_demo_store,
    start_redis,
    stop,
    wait_for_http,
    wait_for_redis,
)

ROOT = Path(__file__).resolve().parent.parent


class Fleet:
    """The processes of docker/compose.yaml on one machine, with the means to break them."""

    def __init__(self, looks_workers: int = 2, stale_seconds: int = 90, sweep_seconds: int = 10):
        self.workdir = Path(tempfile.mkdtemp(prefix="stl-fleet-"))
        self.workdir.chmod(0o755)  # PostgreSQL runs as its own user (as root we are not it) and must reach pg/
        self.looks_workers = looks_workers
        self.pg_port, self.redis_port, self.web_port, self.store_port = (free_port() for _ in range(4))
        self.procs: dict[str, subprocess.Popen] = {}
        self.db_url = ""
        self.env = {
            "DJANGO_SETTINGS_MODULE": "shopthelook.settings.dev",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "VECTOR_INDEX": "pgvector",
            "SHOPTHELOOK_DATA_DIR": str(self.workdir / "data"),
            "DJANGO_DEBUG": "false",
            "DJANGO_LOG_LEVEL": "WARNING",
            "LOOK_RATE_LIMIT": "1000000",  # one client posts every look of the run
            "LOOK_STALE_SECONDS": str(stale_seconds),
            "LOOK_SWEEP_SECONDS": str(sweep_seconds),
            "SCRAPER_SITE_URLS": f"demo=http://127.0.0.1:{self.store_port}",
            "YOLO_OFFLINE": "1",
        }

    # --- starting and stopping -------------------------------------------------------------------
    def start(self, catalog_per_category: int) -> None:
        (self.workdir / "data").mkdir()
        self.start_postgres()
        self.env["DATABASE_URL"] = self.db_url
        self.start_redis()
        self.procs["store"] = start_demo_store(self.store_port, 600, 7)
        # The shop stands in for a site on another machine: it renders its photos at the lowest
        # priority, so its CPU does not count against the looks measured here.
        os.setpriority(os.PRIO_PROCESS, self.procs["store"].pid, 19)
        self.manage("migrate", "--noinput", "-v0")
        self.manage("scrape_catalog", "--profile", "demo", "--max-per-category", str(catalog_per_category))
        self.start_web()
        for i in range(self.looks_workers):
            self.start_looks_worker(i)
        for queue in ("ingest", "scrape"):  # a worker each, as in compose: embedding never waits for a scrape
            self.procs[f"{queue}-worker"] = start_celery_worker(
                self.env, queues=[queue], name=queue, log_level="WARNING", idle_priority=True
            )
        self.procs["beat"] = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "shopthelook",
                "beat",
                "--loglevel",
                "WARNING",
                "--schedule",
                str(self.workdir / "data" / "celerybeat-schedule"),
            ],
            cwd=ROOT,
            env=self._child_env(),
        )

    def start_postgres(self) -> None:
        """PostgreSQL on its port; a second call (a restart) starts the same data directory again."""
        self.procs["postgres"], self.db_url = start_postgres(
            self.pg_port, self.workdir / "pg", pgvector_postgres_bindir(), {"shared_buffers": "512MB"}
        )

    def restart_postgres(self) -> None:
        """A fast shutdown (SIGINT to the postmaster: sessions are cut, open transactions roll back), then up."""
        data = self.workdir / "pg" / "data"
        postmaster = int((data / "postmaster.pid").read_text().split()[0])
        os.kill(postmaster, signal.SIGINT)
        self.procs["postgres"].wait(timeout=60)
        self.start_postgres()

    def start_redis(self) -> None:
        self.procs["redis"] = start_redis(self.redis_port, self.workdir / "redis", persistent=True)

    def start_web(self) -> None:
        self.procs["web"] = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "shopthelook.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.web_port}",
                "--workers",
                "2",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self._child_env(),
        )
        wait_for_http(f"http://127.0.0.1:{self.web_port}/healthz", self.procs["web"])

    def start_looks_worker(self, i: int) -> None:
        self.procs[f"looks-worker-{i}"] = start_celery_worker(
            self.env, queues=["looks"], name=f"looks{i}", log_level="WARNING"
        )

    def stop(self) -> None:
        for name in reversed(list(self.procs)):
            self.kill(name, signal.SIGTERM, wait=True)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def kill(self, name: str, sig: int = signal.SIGKILL, wait: bool = True) -> None:
        """Send `sig` to a part and to its children (a worker's pool), as a container's death would."""
        proc = self.procs.get(name)
        if proc is None or proc.poll() is not None:
            return
        if sig == signal.SIGTERM:
            stop(proc, timeout=20)
            return
        for pid in [proc.pid, *child_pids(proc.pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        if wait:
            proc.wait()

    # --- helpers ---------------------------------------------------------------------------------
    def _child_env(self) -> dict[str, str]:
        return {**os.environ, **self.env}

    def wait_redis(self) -> None:
        wait_for_redis(self.env["REDIS_URL"], timeout=30)

    def manage(self, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
        out = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self._child_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if out.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{out.stderr[-3000:]}")
        return out

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        """One statement on a fresh connection (the server may have restarted since the last one)."""
        with psycopg.connect(self.db_url, autocommit=True) as conn:
            return conn.execute(sql, params or []).fetchall()

    # --- the shopper's side ----------------------------------------------------------------------
    def post_look(self, jpeg: bytes) -> str:
        """POST a photo to the JSON API as a browser would (multipart); returns the look's id."""
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="look.jpg"\r\n'
                "Content-Type: image/jpeg\r\n\r\n"
            ).encode()
            + jpeg
            + f"\r\n--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.web_port}/api/looks",
            data=body,
            method="POST",
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())["id"]

    def look_states(self, ids: list[str]) -> dict[str, tuple[str, float | None]]:
        """Each look's status and upload-to-done seconds (from its own created and finished times)."""
        rows = self.query(
            "SELECT id::text, status, EXTRACT(EPOCH FROM finished - created) FROM shopthelook_look WHERE id = ANY(%s)",
            [[uuid.UUID(i) for i in ids]],
        )
        return {i: (status, float(s) if s is not None else None) for i, status, s in rows}
