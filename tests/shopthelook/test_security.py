"""A public deployment's defences: admin lock-out, the client address behind a proxy, CSP, check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth.models import User
from django.test import Client, RequestFactory

from shopthelook.clients import client_address
from tests.test_docker import fleet

ROOT = Path(__file__).resolve().parent.parent.parent


def login(client: Client, password: str):
    return client.post("/admin/login/?next=/admin/", {"username": "staff", "password": password})


@pytest.mark.django_db
def test_a_password_guesser_is_locked_out_of_admin_and_staff_see_it_there(settings):
    User.objects.create_superuser("staff", "staff@example.com", "right-password-1")
    guesser = Client(REMOTE_ADDR="203.0.113.7")
    answers = [login(guesser, f"guess-{n}").status_code for n in range(settings.AXES_FAILURE_LIMIT + 3)]
    assert answers[: settings.AXES_FAILURE_LIMIT - 1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)  # the form again
    assert set(answers[settings.AXES_FAILURE_LIMIT :]) == {429}
    locked = login(guesser, "right-password-1")  # even the right password, from that address
    assert locked.status_code == 429 and b"Too many failed logins" in locked.content
    assert (
        AccessAttempt.objects.get(username="staff", ip_address="203.0.113.7").failures_since_start
        >= settings.AXES_FAILURE_LIMIT
    )

    # The account itself still works from elsewhere, and its owner sees the lock-out in admin.
    owner = Client(REMOTE_ADDR="198.51.100.2")
    assert login(owner, "right-password-1").status_code == 302
    page = owner.get("/admin/axes/accessattempt/")
    assert page.status_code == 200 and b"203.0.113.7" in page.content
    assert AccessLog.objects.filter(username="staff", ip_address="198.51.100.2").exists()


def test_the_client_address_is_the_socket_unless_a_trusted_proxy_says_otherwise(settings):
    factory = RequestFactory()
    spoofed = factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")
    settings.TRUSTED_PROXY_HEADER = ""
    assert client_address(spoofed) == "10.0.0.5"  # off by default: the header is the client's word
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    assert client_address(spoofed) == "198.51.100.9"  # what the proxy appended, not what the client wrote
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(spoofed) == "1.2.3.4"
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    assert client_address(spoofed) == "10.0.0.5"  # not from the proxy: the header is ignored
    assert client_address(factory.get("/", REMOTE_ADDR="10.0.0.1")) == "10.0.0.1"  # no header at all


@pytest.mark.django_db
def test_pages_send_a_policy_that_allows_no_inline_script(client):
    for url in ("/", "/admin/login/"):
        policy = client.get(url)["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
        assert directives["script-src"] == "'self'", url
        assert directives["default-src"] == "'self'" and directives["object-src"] == "'none'"


def test_check_deploy_reports_nothing_with_the_compose_files_settings(tmp_path):
    env = {k: str(v) for k, v in fleet()["web"]["environment"].items() if v is not None}
    env |= {
        "DJANGO_SECRET_KEY": "a-long-random-secret-for-the-check-only-" + "x9Q2#mLp7&" * 3,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",  # the check reads settings, not the database
        "DJANGO_SETTINGS_MODULE": "shopthelook.settings.prod",
        "SHOPTHELOOK_DATA_DIR": str(tmp_path),
    }
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "System check identified no issues" in out.stdout
