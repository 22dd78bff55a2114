"""Test settings: a file database that a real Celery worker process can share with pytest."""

from pathlib import Path

from .base import *  # noqa: F403
from .base import DATA_DIR, DATABASES, STATIC_ROOT
from .env import env_str

SECRET_KEY = "test-only-insecure-key"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A worker started by the tests opens this same file, so it must not be ":memory:".
DATABASES["default"].setdefault("TEST", {})
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"]["NAME"] = str(DATA_DIR / "test-db.sqlite3")
# The tests give each test its own media folder, and hand it to the worker they start.
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(DATA_DIR / "test-media")))
SCRAPER_PAGE_TIMEOUT = 10
SERVE_MEDIA = True
# Each test process counts its own rate limits; tests that need Redis' shared count start it themselves.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "limits"}}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns at start-up when it is absent
