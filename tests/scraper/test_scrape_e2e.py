"""Real headless Chromium scrapes the demo store served on 127.0.0.1 into the catalog."""

from collections import Counter
from dataclasses import replace

import pytest

from catalog.models import Product, ProductImage
from scraper.models import ScrapeRun
from scraper.service import resolve_profile, run_scrape
from synthetic.server import StoreServer
from tests.helpers import faulty_store_for, media_files

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

PER_CATEGORY = 3


def scrape(base_url: str, per_category: int = PER_CATEGORY) -> ScrapeRun:
    run = ScrapeRun.objects.create(profile="demo", max_per_category=per_category)
    return run_scrape(run, resolve_profile("demo", base_url))


def test_scrape_fills_every_partition_and_a_second_scrape_changes_nothing(demo_store, demo_products, media_root):
    # when
    run = scrape(demo_store.url)

    # then every partition got its products, with all their views
    assert run.status == ScrapeRun.Status.DONE, run.message
    assert (run.products_new, run.products_updated, run.products_failed) == (6 * PER_CATEGORY, 0, 0)
    counts = Counter(Product.objects.values_list("gender", "category"))
    assert set(counts.values()) == {PER_CATEGORY} and len(counts) == 6
    by_id = {p.product_id: p for p in demo_products}
    for product in Product.objects.prefetch_related("images"):
        design = by_id[product.external_id]
        assert product.title == design.title and product.brand == design.brand
        assert product.price == design.price and product.colour == design.colour_name
        assert product.article_type == design.article_type and product.in_stock == design.in_stock
        assert [img.view for img in product.images.all()] == list(design.views)
        assert product.thumbnail.view == "front"
    assert run.images == ProductImage.objects.count() == len(media_files(media_root))
    snapshot = sorted(Product.objects.values_list("external_id", "title", "price", "gender", "category"))

    # when scraped again
    again = scrape(demo_store.url)

    # then the same products are updated, none duplicated
    assert (again.products_new, again.products_updated) == (0, 6 * PER_CATEGORY)
    assert sorted(Product.objects.values_list("external_id", "title", "price", "gender", "category")) == snapshot
    assert ProductImage.objects.count() == run.images == len(media_files(media_root))


def test_scrape_follows_next_page_links(demo_store):
    run = ScrapeRun.objects.create(profile="demo", max_per_category=30)
    profile = resolve_profile("demo", demo_store.url)
    profile = replace(profile, start_urls=profile.start_urls[:1])

    run = run_scrape(run, profile)

    assert run.pages == 2  # 24 cards a page
    assert Product.objects.count() == 30


def test_each_bad_input_is_recorded_and_changes_nothing_else(demo_products, media_root):
    store, chosen = faulty_store_for(demo_products)
    with StoreServer(store) as server:
        # given a clean catalog scraped before the shop broke
        with StoreServer(type(store)(demo_products)) as healthy:
            scrape(healthy.url, per_category=8)
        before = {
            p.external_id: (p.price, p.last_seen, list(p.images.values_list("sha256", flat=True)))
            for p in Product.objects.all()
        }

        # when the broken shop is scraped
        run = scrape(server.url, per_category=8)

    # then each fault is one clear error, and the products it hit are left as they were
    assert run.status == ScrapeRun.Status.DONE
    assert run.cards_skipped == 1
    assert run.products_failed == 5
    errors = {e["url"].rsplit("/", 1)[-1]: e["error"] for e in run.errors}
    assert "no product title" in errors[chosen["broken_pages"]]
    assert "is not an image" in errors[chosen["not_image"]]
    assert "byte limit" in errors[chosen["oversized"]]
    assert "pixel limit" in errors[chosen["bomb"]]
    assert "not on an allowed host" in errors[chosen["offsite"]]
    assert any("missing name" in e["error"] for e in run.errors)
    for kind, pid in chosen.items():
        p = Product.objects.get(external_id=pid)
        assert (p.price, p.last_seen, list(p.images.values_list("sha256", flat=True))) == before[pid], kind
    # every other product was updated normally; the skipped card's slot went to a ninth, new one
    assert (run.products_new, run.products_updated) == (1, 6 * 8 - 5 - 1)
    assert ProductImage.objects.count() == len(media_files(media_root))


def test_a_profile_is_scraped_where_the_site_urls_setting_points_it(settings, demo_store):
    # given the demo profile, an ordinary profile, pointed at a store served on another port
    settings.SCRAPER_SITE_URLS = {"demo": demo_store.url}
    run = ScrapeRun.objects.create(profile="demo", max_per_category=1)

    run = run_scrape(run, resolve_profile("demo"))

    assert run.status == ScrapeRun.Status.DONE and run.products_new == 6
    assert resolve_profile("demo", "http://127.0.0.1:1").base_url == "http://127.0.0.1:1"  # an explicit URL wins
    assert resolve_profile("myntra").base_url == "https://www.myntra.com"  # others keep their own


def test_the_scraper_serves_no_store_of_its_own(settings):
    from shopthelook.servers import free_port

    # given nothing listening where the demo profile points
    settings.SCRAPER_SITE_URLS = {"demo": f"http://127.0.0.1:{free_port()}"}
    run = ScrapeRun.objects.create(profile="demo", max_per_category=1)

    run = run_scrape(run, resolve_profile("demo"))

    # then the demo shop is a shop like any other: unreachable, so nothing is scraped
    assert run.products_new == 0 and len(run.errors) == 6


def test_an_unreachable_shop_is_an_error_per_search_term():
    from shopthelook.servers import free_port

    demo = resolve_profile("demo")
    shop = replace(demo, name="elsewhere", base_url=f"http://127.0.0.1:{free_port()}", start_urls=demo.start_urls[:2])
    run = ScrapeRun.objects.create(profile=shop.name, max_per_category=1)

    run = run_scrape(run, shop)

    assert run.status == ScrapeRun.Status.DONE and run.products_new == 0
    assert [e["url"] for e in run.errors] == [shop.absolute(s.url) for s in shop.start_urls]
    assert all("did not appear" in e["error"] or "ERR_CONNECTION_REFUSED" in e["error"] for e in run.errors)


def test_an_interrupted_scrape_leaves_whole_products_and_reruns_cleanly(demo_store, media_root):
    run = ScrapeRun.objects.create(profile="demo", max_per_category=2)

    def interrupt_after_five(r: ScrapeRun) -> None:
        if r.processed == 5:
            raise KeyboardInterrupt  # as Ctrl-C or a worker shutdown would

    with pytest.raises(KeyboardInterrupt):
        run_scrape(run, resolve_profile("demo", demo_store.url), on_progress=interrupt_after_five)

    run.refresh_from_db()
    assert run.status == ScrapeRun.Status.FAILED and run.message == "scrape interrupted"
    assert Product.objects.count() == 5
    assert all(p.images.count() >= 3 for p in Product.objects.all())  # no product without its photos

    again = scrape(demo_store.url, per_category=2)
    assert (again.products_new, again.products_updated) == (7, 5)
    assert Product.objects.count() == 12
    assert ProductImage.objects.count() == len(media_files(media_root))
