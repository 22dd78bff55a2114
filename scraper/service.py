"""Run a ScrapeRun: walk a profile's listing pages in Chromium and upsert every product found."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.utils import timezone

from catalog.ingest import ImageBlob, ProductRecord, upsert_product
from catalog.models import ProductImage
from catalog.tasks import EMBED_BATCH, queue_embedding

from .browser import Browser, PageLoadError, open_browser
from .hosts import DisallowedHost, host_allowed
from .images import ImageLimits, ImageRejected, TransientFetchError, fetch_image
from .models import ScrapeRun
from .parsing import Card, ParseError, article_type_from_title, parse_listing, parse_product_page
from .profiles import SiteProfile, StartUrl, load_profile
from .retry import with_retries

logger = logging.getLogger(__name__)

# What a single product can fail with; anything else is a bug and stops the run.
PRODUCT_ERRORS = (PageLoadError, ParseError, ImageRejected, TransientFetchError, DisallowedHost, ValidationError)
VIEWS = set(ProductImage.View.values)


class CatalogScraper:
    """Scrapes the start URLs of one profile into the catalog, counting into a ScrapeRun."""

    def __init__(
        self,
        run: ScrapeRun,
        profile: SiteProfile,
        browser: Browser,
        on_progress: Callable[[ScrapeRun], None],
        on_products: Callable[[list[int]], None] | None = None,
    ):
        self.run = run
        self.on_products = on_products
        self.unembedded: list[int] = []
        self.profile = profile
        self.browser = browser
        self.on_progress = on_progress
        self.limits = ImageLimits(settings.SCRAPER_MAX_IMAGE_BYTES, settings.SCRAPER_MAX_IMAGE_PIXELS)
        self.seen: set[str] = set()
        self._last_request = 0.0

    def _polite(self) -> None:
        wait = self.profile.delay_seconds - (time.monotonic() - self._last_request)
        if wait > 0:
            time.sleep(wait)
        self._last_request = time.monotonic()

    def _page(self, url: str, wait_for: str) -> str:
        def load() -> str:
            self._polite()
            return self.browser.page_html(url, wait_for)

        return with_retries(load, (PageLoadError,), attempts=3, base_delay=1.0, what=f"page {url}")

    def _image(self, url: str, view: str) -> ImageBlob:
        checked = with_retries(
            lambda: fetch_image(url, self.profile.allowed_hosts, self.limits),
            (TransientFetchError,),
            attempts=3,
            base_delay=0.5,
            what=f"image {url}",
        )
        return ImageBlob(checked.jpeg, url, checked.width, checked.height, view if view in VIEWS else "other")

    def scrape_term(self, start: StartUrl, limit: int) -> None:
        url: str | None = self.profile.absolute(start.url)
        done = 0
        while url and done < limit:
            try:
                html = self._page(url, self.profile.listing.wait_for)
            except (PageLoadError, DisallowedHost) as exc:
                self.run.add_error(url, str(exc))
                break
            self.run.pages += 1
            listing = parse_listing(html, url, self.profile.listing, self.profile.external_id_pattern)
            self.run.cards_skipped += len(listing.skipped)
            for reason in listing.skipped:
                self.run.add_error(url, reason)
            for card in listing.cards:
                if done >= limit:
                    break
                if card.external_id in self.seen:
                    continue
                self.seen.add(card.external_id)
                self.scrape_product(card, start)
                done += 1
            url = listing.next_url
            if url and not host_allowed(url, self.profile.allowed_hosts):
                self.run.add_error(url, "next page is not on an allowed host; stopping this term")
                break

    def scrape_product(self, card: Card, start: StartUrl) -> None:
        try:
            record = self._record(card, start)
            product, created = upsert_product(record)
        except PRODUCT_ERRORS as exc:
            self.run.products_failed += 1
            self.run.add_error(card.url, str(exc))
            logger.info("product failed: %s", exc)
        else:
            self.run.images += len(record.images)
            self.unembedded.append(product.pk)
            if len(self.unembedded) >= EMBED_BATCH:
                self.flush_products()
            if created:
                self.run.products_new += 1
            else:
                self.run.products_updated += 1
        self.run.processed += 1
        self.on_progress(self.run)

    def flush_products(self) -> None:
        """Hand the products stored since the last flush on (to be embedded)."""
        if self.on_products and self.unembedded:
            self.on_products(self.unembedded)
        self.unembedded = []

    def _record(self, card: Card, start: StartUrl) -> ProductRecord:
        sel = self.profile.product_page
        title, brand, price = card.name, card.brand, card.price
        colour, article, in_stock = "", article_type_from_title(card.name), True
        images: list[tuple[str, str]] = [(card.image_url, "front")]
        if sel is not None:
            page = parse_product_page(self._page(card.url, sel.wait_for), card.url, sel)
            title, brand = page.title, page.brand or brand
            price = page.price if page.price is not None else price
            colour, article, in_stock = page.colour, page.article_type or article, page.in_stock
            images = list(page.images)
        blobs = tuple(self._image(url, view) for url, view in images)
        return ProductRecord(
            source=self.profile.name,
            external_id=card.external_id,
            url=card.url,
            title=title[:300],
            gender=start.gender,
            category=start.category,
            brand=brand[:120],
            price=price,
            currency=self.profile.currency,
            article_type=article[:40],
            colour=colour[:40],
            in_stock=in_stock,
            images=blobs,
        )


def resolve_profile(name: str, base_url: str | None = None) -> SiteProfile:
    """The profile `name`, at `base_url` if given, else where SCRAPER_SITE_URLS points it, else its own root.

    The setting serves any profile alike: a shop's staging mirror, or a local shop served on
    another port (as `make run` and the tests serve the demo store).
    """
    profile = load_profile(name)
    base_url = base_url or settings.SCRAPER_SITE_URLS.get(profile.name)
    return profile.with_base_url(base_url) if base_url else profile


def run_scrape(
    run: ScrapeRun,
    profile: SiteProfile,
    on_progress: Callable[[ScrapeRun], None] | None = None,
    on_products: Callable[[list[int]], None] | None = queue_embedding,
) -> ScrapeRun:
    """Scrape `profile` into the catalog, recording progress on `run`; safe to run again.

    Stored products go to `on_products` in batches: by default each batch is queued for
    embedding, so the catalog is searchable while the scrape still runs.
    """
    run.reset_counts()
    run.status, run.started_at, run.finished_at = ScrapeRun.Status.RUNNING, timezone.now(), None
    run.target = run.max_per_category * len(profile.start_urls)
    run.save_progress()
    last_save = 0.0
    scraper: CatalogScraper | None = None

    def progress(r: ScrapeRun) -> None:
        nonlocal last_save
        if time.monotonic() - last_save > 0.5:  # keep the database quiet on fast scrapes
            r.save_progress()
            last_save = time.monotonic()
        if on_progress:
            on_progress(r)

    try:
        with open_browser(
            profile.allowed_hosts,
            timeout=settings.SCRAPER_PAGE_TIMEOUT,
            chromium=settings.CHROMIUM_BINARY,
            chromedriver=settings.CHROMEDRIVER_BINARY,
        ) as browser:
            scraper = CatalogScraper(run, profile, browser, progress, on_products)
            for start in profile.start_urls:
                scraper.scrape_term(start, run.max_per_category)
    except (PageLoadError, DatabaseError, OSError) as exc:
        run.status, run.message = ScrapeRun.Status.FAILED, f"scrape stopped: {exc}"
        logger.exception("scrape %s failed", run.pk)
    else:
        run.status = ScrapeRun.Status.DONE
        run.message = (
            f"{run.products_new} new, {run.products_updated} updated, {run.products_failed} failed, "
            f"{run.cards_skipped} cards skipped, {run.pages} pages, {run.images} images"
        )
    finally:
        if scraper is not None:  # products stored before a failure are in the catalog: embed them too
            scraper.flush_products()
        run.finished_at = timezone.now()
        if run.status == ScrapeRun.Status.RUNNING:  # interrupted by something we did not catch
            run.status, run.message = ScrapeRun.Status.FAILED, "scrape interrupted"
        run.save_progress()
    return run
