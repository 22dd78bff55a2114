"""`manage.py benchmark_ingest`: products embedded per second by a real ingest worker, on a copy of the catalog."""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from tqdm import tqdm

from shopthelook.servers import free_port, start_celery_worker, start_redis, stop


class Command(BaseCommand):
    help = (
        "Copy the catalog's database without its vectors, start an ingest worker on the copy (it finds every "
        "product stale and queues them in batches), and time it until every product has its vectors again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--processes", type=int, default=2, help="the worker's pool (compose: INGEST_CONCURRENCY)")
        parser.add_argument("--timeout", type=float, default=600)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts) -> None:
        if connection.vendor != "sqlite":
            raise CommandError("benchmark_ingest copies a SQLite catalog (make run's); this database is not one")
        workdir = Path(tempfile.mkdtemp(prefix="stl-ingest-"))
        copy = workdir / "db.sqlite3"
        with sqlite3.connect(settings.DATABASES["default"]["NAME"]) as source, sqlite3.connect(copy) as target:
            source.backup(target)  # a consistent copy, even while the app writes
        with sqlite3.connect(copy) as db:
            wanted = db.execute("SELECT count(DISTINCT product_id) FROM catalog_productimage").fetchone()[0]
            photos = db.execute("SELECT count(*) FROM catalog_productimage WHERE view <> 'model'").fetchone()[0]
            db.execute("DELETE FROM catalog_productembedding")
        if not wanted:
            raise CommandError("the catalog has no products: run `make demo-catalog` first")
        port = free_port()
        redis_proc = start_redis(port, workdir / "redis")
        env = {
            "REDIS_URL": f"redis://127.0.0.1:{port}/0",
            "DATABASE_URL": f"sqlite:///{copy}",
            "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),  # read only: the photos are not rewritten
            "SHOPTHELOOK_DATA_DIR": str(workdir),
        }
        started = time.monotonic()
        worker = start_celery_worker(env, concurrency=opts["processes"], log_level="WARNING", queues=["ingest"])
        times: list[float] = []
        try:
            done, deadline = 0, started + opts["timeout"]
            with tqdm(total=wanted, desc="embedded", unit="product", disable=opts["json"]) as bar:
                while done < wanted:
                    if time.monotonic() > deadline or worker.poll() is not None:
                        raise CommandError(
                            f"{done} of {wanted} products embedded before the worker stopped or timed out"
                        )
                    time.sleep(0.1)
                    with sqlite3.connect(copy, timeout=10) as db:
                        now = db.execute("SELECT count(*) FROM catalog_productembedding").fetchone()[0]
                    times += [time.monotonic()] * (now - done)
                    bar.update(now - done)
                    done = now
        finally:
            stop(worker)
            stop(redis_proc)
            shutil.rmtree(workdir, ignore_errors=True)
        # Steady state: from the first product stored to the last (model loading and the first batch's
        # queueing are counted only in the total).
        span = times[-1] - times[0]
        # Every product seen in one poll (a small catalog, one batch) leaves no span to time: the whole run's rate.
        steady = (len(times) - 1) / span if span > 0 else wanted / (times[-1] - started)
        result = {
            "products": wanted,
            "photos": photos,
            "processes": opts["processes"],
            "products_per_s": round(steady, 1),
            "photos_per_s": round(steady * photos / wanted, 1),
            "total_s": round(times[-1] - started, 1),
        }
        if opts["json"]:
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(
            f"{wanted} products ({photos} photos), {opts['processes']} worker processes: {result['products_per_s']} "
            f"products/s ({result['photos_per_s']} photos/s) once started; {result['total_s']} s in all"
        )
