"""`manage.py seed_demo_catalog`: serve the demo store while `scrape_catalog --profile demo` fills an empty catalog."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from catalog.models import Product
from scraper.service import resolve_profile
from shopthelook.servers import free_port, port_free, start_demo_store, stop


class Command(BaseCommand):
    help = "Build the demo catalog: serve the demo store (its own process), scrape it, compute the vectors."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--max-per-category", type=int, default=100)
        parser.add_argument("--force", action="store_true", help="scrape even if the catalog has products")

    def handle(self, *args, **opts) -> None:
        if not opts["force"] and Product.objects.exists():
            self.stdout.write(f"catalog already has {Product.objects.count()} products; skipping the demo scrape")
            return
        # The demo profile's own port when it is free (an ordinary profile, an ordinary URL), else any.
        port = urlsplit(resolve_profile("demo").base_url).port or 80
        if not port_free(port):
            port = free_port()
        store = start_demo_store(
            port, settings.DEMO_STORE_PRODUCTS, settings.DEMO_STORE_SEED, model_shots=settings.DEMO_STORE_MODEL_SHOTS
        )
        try:
            call_command(
                "scrape_catalog",
                profile="demo",
                base_url=f"http://127.0.0.1:{port}",
                max_per_category=opts["max_per_category"],
                stdout=self.stdout,
            )
        finally:
            stop(store)
