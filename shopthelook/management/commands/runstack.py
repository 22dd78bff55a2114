"""`manage.py runstack`: Redis, a Celery worker, the demo store and the web server, until Ctrl-C."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from shopthelook.servers import port_free, start_celery_worker, start_redis, stop


class Command(BaseCommand):
    help = "Run the whole app locally on 127.0.0.1; Ctrl-C stops every part."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--redis-port", type=int, default=6379)
        parser.add_argument("--no-demo-store", action="store_true")

    def handle(self, *args, **opts) -> None:
        from scraper.demo_store.server import StoreServer
        from scraper.demo_store.site import DemoStore

        procs: list[subprocess.Popen] = []
        store = None
        try:
            redis_url = settings.REDIS_URL
            if port_free(opts["redis_port"]):
                procs.append(start_redis(opts["redis_port"], settings.DATA_DIR / "redis"))
                redis_url = f"redis://127.0.0.1:{opts['redis_port']}/0"
                self.stdout.write(f"redis      {redis_url}")
            else:
                self.stdout.write(f"redis      using the server already on port {opts['redis_port']}")
            env = {"REDIS_URL": redis_url, "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"]}
            procs.append(start_celery_worker(env))
            self.stdout.write("worker     celery, 1 process")
            if not opts["no_demo_store"] and port_free(8765):
                store = StoreServer(
                    DemoStore.generated(settings.DEMO_STORE_PRODUCTS, settings.DEMO_STORE_SEED), port=8765
                )
                self.stdout.write(f"demo store {store.url}")
            self.stdout.write(
                self.style.SUCCESS(f"web        http://127.0.0.1:{opts['port']}/  (Ctrl-C stops everything)")
            )
            web = subprocess.Popen(
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{opts['port']}", "--noreload"],
                env={**os.environ, **env},
            )
            procs.append(web)
            web.wait()
        except KeyboardInterrupt:
            self.stdout.write("\nstopping…")
        finally:
            for proc in reversed(procs):
                stop(proc)
            if store is not None:
                store.stop()
