"""`manage.py runstack` (the last step of `make run`) starts every server and Ctrl-C stops them all."""

import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import redis

from shopthelook.servers import free_port, port_free
from tests.helpers import wait_until

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.slow


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def test_runstack_serves_web_worker_redis_and_store_and_ctrl_c_stops_them(tmp_path):
    web, rds, store = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shopthelook.settings.dev",
        "SHOPTHELOOK_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DEMO_STORE_PRODUCTS": "60",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
    cmd = [
        sys.executable,
        "manage.py",
        "runstack",
        "--port",
        str(web),
        "--redis-port",
        str(rds),
        "--store-port",
        str(store),
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: http_ok(f"http://127.0.0.1:{web}/admin/login/"), 60, "the web server answers")
        assert redis.Redis(port=rds).ping()
        assert http_ok(f"http://127.0.0.1:{store}/mens-topwear")
        from celery import Celery

        probe = Celery(broker=f"redis://127.0.0.1:{rds}/0")
        wait_until(lambda: bool(probe.control.ping(timeout=0.5)), 60, "the Celery worker answers a ping")

        # when Ctrl-C reaches the terminal's process group
        os.killpg(proc.pid, signal.SIGINT)

        # then every server stops and frees its port
        assert proc.wait(timeout=30) == 0
        for port in (web, rds, store):
            wait_until(lambda p=port: port_free(p), 10, f"port {port} is free")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
