"""`manage.py scrape_catalog --profile demo --max-per-category N`: scrape a site with a progress bar."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from scraper.models import ScrapeRun
from scraper.profiles import ProfileError, available_profiles
from scraper.service import resolve_profile, run_scrape


class Command(BaseCommand):
    help = "Scrape a site profile into the catalog through headless Chromium."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--profile", default="demo", help=f"one of: {', '.join(available_profiles())}")
        parser.add_argument("--max-per-category", type=int, default=None, help="products per search term")
        parser.add_argument("--base-url", default=None, help="override the profile's site root")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if the catalog has products")

    def handle(self, *args, **opts) -> None:
        from catalog.models import Product

        try:
            profile = resolve_profile(opts["profile"], opts["base_url"])
        except ProfileError as exc:
            raise CommandError(str(exc)) from exc
        if opts["if_empty"] and Product.objects.exists():
            self.stdout.write(f"catalog already has {Product.objects.count()} products; skipping scrape")
            return
        limit = opts["max_per_category"] or profile.max_per_category
        if limit < 1:
            raise CommandError("--max-per-category must be at least 1")
        run = ScrapeRun.objects.create(profile=profile.name, max_per_category=limit)
        bar = tqdm(total=limit * len(profile.start_urls), unit="product", desc=f"scrape {profile.name}")

        def advance(r: ScrapeRun) -> None:
            bar.update(r.processed - bar.n)
            bar.set_postfix(new=r.products_new, upd=r.products_updated, fail=r.products_failed, pages=r.pages)

        # No worker need be running here: the products are embedded in this process afterwards.
        run = run_scrape(run, profile, on_progress=advance, on_products=None)
        bar.close()
        rate = run.products_per_minute or 0.0
        self.stdout.write(f"ScrapeRun #{run.pk} {run.status}: {run.message} ({rate:.0f} products/min)")
        for error in run.errors[:10]:
            self.stdout.write(f"  ! {error['url']}: {error['error']}")
        if run.status != ScrapeRun.Status.DONE:
            raise CommandError(run.message)
        call_command("rebuild_index", stdout=self.stdout)
