"""Settings come from the environment, with safe defaults and a production guard."""

import os
import subprocess
import sys

import pytest

from shopthelook.settings.env import EnvError, env_bool, env_int, env_list


def settings_value(module: str, expr: str, **env: str) -> str:
    code = (
        f"import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = '{module}'; django.setup(); "
        f"from django.conf import settings; print({expr})"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    proc = subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True, timeout=60
    )
    if proc.returncode:
        return "ERROR: " + proc.stderr.strip().splitlines()[-1]
    return proc.stdout.strip()


def test_env_helpers(monkeypatch):
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "12")
    monkeypatch.setenv("X_LIST", "a.example, b.example,")
    assert env_bool("X_BOOL", False) is True and env_bool("X_MISSING", True) is True
    assert env_int("X_INT", 0) == 12
    assert env_list("X_LIST", []) == ["a.example", "b.example"]
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(EnvError, match="X_BOOL"):
        env_bool("X_BOOL", False)


def test_defaults_are_sqlite_and_local_redis_with_debug_off():
    assert (
        settings_value("shopthelook.settings.base", "settings.DATABASES['default']['ENGINE']")
        == "django.db.backends.sqlite3"
    )
    assert settings_value("shopthelook.settings.base", "settings.CELERY_BROKER_URL") == "redis://127.0.0.1:6379/0"
    assert settings_value("shopthelook.settings.base", "settings.DEBUG") == "False"


def test_database_redis_media_and_hosts_come_from_the_environment(tmp_path):
    env = {
        "DATABASE_URL": "postgres://shop:pw@127.0.0.1:5433/shop",
        "REDIS_URL": "redis://127.0.0.1:6390/2",
        "DJANGO_MEDIA_ROOT": str(tmp_path),
        "DJANGO_ALLOWED_HOSTS": "shop.example,127.0.0.1",
        "DJANGO_SECRET_KEY": "s3cret-from-env",
    }
    expr = (
        "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['PORT'], "
        "settings.CELERY_BROKER_URL, settings.MEDIA_ROOT, settings.ALLOWED_HOSTS, settings.SECRET_KEY"
    )
    out = settings_value("shopthelook.settings.prod", expr, **env).split(" ", 4)
    assert out[:4] == ["django.db.backends.postgresql", "5433", "redis://127.0.0.1:6390/2", str(tmp_path)]
    assert out[4:] == ["['shop.example', '127.0.0.1'] s3cret-from-env"]


def test_production_refuses_to_start_without_a_secret_key():
    assert "DJANGO_SECRET_KEY must be set" in settings_value("shopthelook.settings.prod", "settings.DEBUG")


def test_base_settings_hold_no_secret_key_of_their_own():
    out = settings_value("shopthelook.settings.base", "settings.SECRET_KEY")
    assert "SECRET_KEY setting must not be empty" in out


def test_media_is_served_by_django_in_development_only_unless_asked():
    assert settings_value("shopthelook.settings.prod", "settings.SERVE_MEDIA", DJANGO_SECRET_KEY="k") == "False"
    assert settings_value("shopthelook.settings.dev", "settings.SERVE_MEDIA") == "True"
    served = settings_value(
        "shopthelook.settings.prod", "settings.SERVE_MEDIA", DJANGO_SECRET_KEY="k", DJANGO_SERVE_MEDIA="1"
    )
    assert served == "True"


def test_a_worker_started_without_settings_runs_production_ones():
    code = "import os, shopthelook.celery; print(os.environ['DJANGO_SETTINGS_MODULE'])"
    clean = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    proc = subprocess.run([sys.executable, "-c", code], env=clean, capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "shopthelook.settings.prod"
