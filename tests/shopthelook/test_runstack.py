"""`manage.py runstack` (the last step of `make run`) starts every server and Ctrl-C stops them all."""

import io
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis
from PIL import Image

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


def photo_bytes(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "navy").save(out, "JPEG")
    return out.getvalue()


def post_photo(url: str, data: bytes) -> tuple[int, str]:
    """POST a photo as the API's multipart field; (status, Retry-After or "")."""
    boundary = "----stl-burst"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="me.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(url, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:  # 4xx and 5xx answers; a dropped connection raises URLError
        return exc.code, exc.headers.get("Retry-After", "")


# A finished look of two people, written as the worker would leave it; prints its id.
MAKE_FINISHED_LOOK = """
from django.core.files.base import ContentFile
from django.utils import timezone
from shopthelook.models import Look
person = {"box": [0, 0, 100, 200], "shot": "full shot", "garments": [], "facing": "front", "face": None,
          "gender": {"p_women": 0.1, "source": "figure", "label": "men"}}
look = Look(status="done", width=240, height=360, finished=timezone.now(), people=[person, person])
from io import BytesIO
from PIL import Image
photo = BytesIO()
Image.new("RGB", (240, 360), "navy").save(photo, "JPEG")
look.photo.save("two.jpg", ContentFile(photo.getvalue()), save=False)
look.save()
print(look.pk)
"""


def post_form(url: str, fields: dict[str, str]) -> tuple[int, str]:
    """POST url-encoded `fields`; (status, Retry-After or "")."""
    request = urllib.request.Request(url, urllib.parse.urlencode(fields).encode())
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Retry-After", "")


def test_runstack_serves_web_worker_redis_and_store_holds_its_limits_and_ctrl_c_stops_them(tmp_path):
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

        # A photo too small to show an outfit is refused (it takes one of the minute's 20 places).
        url = f"http://127.0.0.1:{web}/api/looks"
        assert post_photo(url, photo_bytes((1, 1)))[0] == 400

        # A burst from the same address: the limit holds across gunicorn's processes and threads,
        # every connection is answered, nothing fails.
        with ThreadPoolExecutor(40) as pool:
            answers = list(pool.map(lambda _: post_photo(url, photo_bytes((240, 360))), range(40)))
        codes = [code for code, _ in answers]
        assert codes.count(202) == 19 and codes.count(429) == 21, codes
        assert all(0 < int(wait) <= 60 for code, wait in answers if code == 429)  # Retry-After, in seconds
        assert http_ok(f"http://127.0.0.1:{web}/static/shop/shop.css")  # static files served by the app

        # 200 concurrent "shop another person" calls on one finished look queue one re-match.
        look_id = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", MAKE_FINISHED_LOOK],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=120,
        ).stdout.strip().splitlines()[-1]  # fmt: skip
        person_url = f"http://127.0.0.1:{web}/api/looks/{look_id}/person"
        with ThreadPoolExecutor(50) as pool:
            switches = [code for code, _ in pool.map(lambda _: post_form(person_url, {"person": "1"}), range(200))]
        assert switches.count(202) == 1 and set(switches) <= {202, 409, 429}, switches

        # when Ctrl-C reaches the terminal's process group
        os.killpg(proc.pid, signal.SIGINT)

        # then every server stops and frees its port
        assert proc.wait(timeout=30) == 0
        for port in (web, rds, store):
            wait_until(lambda p=port: port_free(p), 10, f"port {port} is free")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
