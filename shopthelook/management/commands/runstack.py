"""`manage.py runstack`: Redis, two Celery workers (looks; ingest and scrape), the demo store and the web server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shopthelook.servers import port_free, start_celery_worker, start_demo_store, start_redis, stop

# The web server is the fleet's, gunicorn: Django's development server listens with a backlog of 5,
# so a burst of uploads had connections refused. Threads wait on the database and on photo decoding;
# a deep backlog holds a burst until a thread is free.
WEB_WORKERS = 2
WEB_THREADS = 8
WEB_BACKLOG = 2048


def web_command(port: int, dev: bool, workers: int = WEB_WORKERS) -> list[str]:
    """The web server on 127.0.0.1:`port`: gunicorn, or with `dev` the development server (it reloads)."""
    if dev:
        return [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"]
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "shopthelook.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(WEB_THREADS),
        "--backlog",
        str(WEB_BACKLOG),
        "--timeout",
        "60",
        "--access-logfile",
        "-",
    ]


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Run the whole app locally on 127.0.0.1; Ctrl-C stops every part."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--redis-port", type=int, default=6379)
        parser.add_argument("--store-port", type=int, default=8765)
        parser.add_argument("--no-demo-store", action="store_true")
        parser.add_argument(
            "--dev", action="store_true", help="serve with Django's development server, reloading on code changes"
        )
        parser.add_argument("--web-workers", type=int, default=WEB_WORKERS)

    def handle(self, *args, **opts) -> None:
        # Ctrl-C and `kill` both stop everything, even when started from a shell that ignores SIGINT.
        signal.signal(signal.SIGINT, _interrupt)
        signal.signal(signal.SIGTERM, _interrupt)
        children: dict[str, subprocess.Popen] = {}
        failed = ""
        try:
            redis_url = settings.REDIS_URL
            if port_free(opts["redis_port"]):
                children["redis"] = start_redis(opts["redis_port"], settings.DATA_DIR / "redis")
                redis_url = f"redis://127.0.0.1:{opts['redis_port']}/0"
                self.stdout.write(f"redis      {redis_url}")
            else:
                self.stdout.write(f"redis      using the server already on port {opts['redis_port']}")
            env = {"REDIS_URL": redis_url, "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"]}
            if not opts["no_demo_store"] and port_free(opts["store_port"]):
                port = opts["store_port"]
                children["demo store"] = start_demo_store(
                    port,
                    settings.DEMO_STORE_PRODUCTS,
                    settings.DEMO_STORE_SEED,
                    model_shots=settings.DEMO_STORE_MODEL_SHOTS,
                )
                env["SCRAPER_SITE_URLS"] = f"demo=http://127.0.0.1:{port}"  # admins' demo scrapes go there
                self.stdout.write(f"demo store http://127.0.0.1:{port}")
            # Two workers, one per queue group: a long catalog scrape never holds up a shopper's look.
            schedule = settings.DATA_DIR / "celerybeat-schedule"
            children["looks worker"] = start_celery_worker(env, queues=["looks"], name="looks", beat_schedule=schedule)
            self.stdout.write("worker     celery: looks, with the periodic tasks")
            children["catalog worker"] = start_celery_worker(
                env, queues=["ingest", "scrape"], name="catalog", idle_priority=True
            )
            self.stdout.write("worker     celery: ingest and scrape")
            children["web"] = subprocess.Popen(
                web_command(opts["port"], opts["dev"], opts["web_workers"]), env={**os.environ, **env}
            )
            self.stdout.write(
                self.style.SUCCESS(f"web        http://127.0.0.1:{opts['port']}/  (Ctrl-C stops everything)")
            )
            failed = self._watch(children)
        except KeyboardInterrupt:
            self.stdout.write("\nstopping…")
        finally:
            for name in ("web", "looks worker", "catalog worker", "demo store", "redis"):
                stop(children.get(name))
        if failed:
            raise CommandError(failed)

    def _watch(self, children: dict[str, subprocess.Popen]) -> str:
        """Block until a child exits; say which one, so a dead worker never goes unnoticed."""
        while True:
            for name, proc in children.items():
                code = proc.poll()
                if code is not None:
                    return f"the {name} process exited with code {code}; stopped the others"
            time.sleep(0.5)
