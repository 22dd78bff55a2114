"""The API through a real Redis and Celery worker: a look goes from upload to recommendations,
and survives the worker process being killed in the middle of it."""

import io
import os
import signal

import pytest

from catalog.product_vectors import embed_products
from shopthelook.models import Look
from shopthelook.servers import child_pids, point_celery_at, start_celery_worker, stop
from tests.helpers import wait_until
from tests.shopthelook.demo_catalog import demo_products, ingest, jpeg_of, scene

pytestmark = pytest.mark.slow


def post_photo(client, data: bytes, **fields):
    photo = io.BytesIO(data)
    photo.name = "look.jpg"
    return client.post("/api/looks", {"photo": photo, **fields})


@pytest.fixture
def catalog(transactional_db):
    products = demo_products()
    stored = ingest(products)
    embed_products([p.pk for p in stored.values()])
    return products, stored


def test_a_posted_photo_comes_back_with_items_and_recommendations(client, celery_worker, catalog):
    products, _ = catalog
    shot = scene(products, "women", 21)
    response = post_photo(client, jpeg_of(shot))
    assert response.status_code == 202
    status_url = response.json()["status_url"]

    seen = set()

    def done():
        body = client.get(status_url).json()
        seen.add(body["status"])
        return body if body["status"] in ("done", "failed") else None

    body = wait_until(done, 60, "the look finished", step=0.05)
    assert body["status"] == "done", body.get("error")
    assert seen <= {"queued", "analysing", "matching", "done"}
    assert {i["category"] for i in body["items"]} >= {"topwear", "footwear"}
    for item in body["items"]:
        x1, y1, x2, y2 = item["box"]
        assert 0 <= x1 < x2 <= shot.image.width and 0 <= y1 < y2 <= shot.image.height
        assert 1 <= len(item["recommendations"]) <= 8
        first = item["recommendations"][0]
        assert set(first) >= {"title", "brand", "price", "url", "image", "similarity", "match"}
        assert first["match"] in ("exact match", "similar style")
    assert body["gender"]["p_women"] is not None and body["gender"]["searched"]
    assert set(body["timings_ms"]) >= {"detect", "gender", "embed", "search"}
    # each garment is named by an article type of its own category, read from the photo
    from detection.taxonomy import ARTICLE_LABELS, ARTICLE_TYPES

    category_of = {a.name: a.category for a in ARTICLE_TYPES}
    for item in body["items"]:
        assert category_of[item["article_type"]] == item["category"]
        assert item["name"] == ARTICLE_LABELS[item["article_type"]]
        assert 0.0 <= item["article_score"] <= 1.0  # the probability of the type's ImageNet classes
    same = client.get(status_url, {"same_type": "1"}).json()
    for item in same["items"]:
        assert all(r["article_type"] == item["article_type"] for r in item["recommendations"])
        unfiltered = next(i for i in body["items"] if i["id"] == item["id"])
        kept = [r["product_id"] for r in unfiltered["recommendations"] if r["article_type"] == item["article_type"]]
        assert [r["product_id"] for r in item["recommendations"]][: len(kept)] == kept

    # filters narrow what comes back without running the models again
    brand = body["facets"]["brands"][0]
    filtered = client.get(status_url, {"brand": brand}).json()
    assert all(r["brand"] == brand for i in filtered["items"] for r in i["recommendations"])


def test_a_look_survives_its_worker_process_being_killed(client, celery_worker, catalog):
    products, _ = catalog
    worker = celery_worker
    response = post_photo(client, jpeg_of(scene(products, "men", 22)))
    look_id = response.json()["id"]
    # given: the pool process has taken the look (it is loading models or analysing)
    wait_until(lambda: Look.objects.get(pk=look_id).status != Look.Status.QUEUED, 60, "the look was taken", step=0.005)
    # when: that process dies without warning
    for child in child_pids(worker.pid):
        os.kill(child, signal.SIGKILL)
    # then: the message goes back to the queue and a fresh process completes the look
    look = wait_until(
        lambda: Look.objects.filter(pk=look_id, status=Look.Status.DONE).first(), 90, "the look done", step=0.05
    )
    assert look.attempts >= 2
    assert look.items.exists()


def test_a_whole_worker_killed_holding_a_look_resumes_it_when_restarted(
    client, redis_url, demo_store, transactional_db, settings, media_root, catalog
):
    """SIGKILL to the node and its pool (a lost container): its message stays unacked in Redis for the
    broker's visibility timeout, an hour. The node, restarted under its name, queues the look again."""
    from tests.conftest import _started, _worker_env

    point_celery_at(redis_url)
    env = _worker_env(redis_url, demo_store, settings, media_root)
    worker = start_celery_worker(env, log_level="WARNING", queues=["looks"], name="held")
    try:
        _started([worker])
        products, _ = catalog
        look_id = post_photo(client, jpeg_of(scene(products, "women", 5))).json()["id"]
        wait_until(
            lambda: Look.objects.filter(pk=look_id, status=Look.Status.ANALYSING).exists(), 60, "taken", step=0.005
        )
        for pid in [worker.pid, *child_pids(worker.pid)]:
            os.kill(pid, signal.SIGKILL)
        worker.wait()
        assert Look.objects.get(pk=look_id).status != Look.Status.DONE
        worker = start_celery_worker(env, log_level="WARNING", queues=["looks"], name="held")
        # well before the stale-look sweep (LOOK_STALE_SECONDS, 300 s) would find it
        look = wait_until(lambda: Look.objects.filter(pk=look_id, status=Look.Status.DONE).first(), 60, "done")
        assert look.attempts == 2 and look.items.exists()
    finally:
        stop(worker)


@pytest.fixture
def unembedded_catalog(transactional_db):
    """Products whose vectors are missing, as after shipping a new embedder (its sha256 makes all stale)."""
    return ingest(demo_products()[:18])


def test_a_starting_worker_embeds_the_products_it_finds_stale(unembedded_catalog, celery_worker):
    from catalog.models import ProductEmbedding
    from catalog.product_vectors import stale_product_ids

    wait_until(
        lambda: ProductEmbedding.objects.count() == len(unembedded_catalog), 90, "every product embedded", step=0.2
    )
    assert stale_product_ids() == []


def test_a_look_is_served_while_a_long_scrape_holds_the_catalog_worker(client, queue_workers, catalog):
    from scraper.admin import queue_scrape
    from scraper.models import ScrapeRun

    products, _ = catalog
    run = ScrapeRun.objects.create(profile="demo", max_per_category=60)  # 360 products: minutes of Selenium
    queue_scrape(run)  # on commit: the test database is in autocommit here
    wait_until(lambda: ScrapeRun.objects.get(pk=run.pk).processed >= 3, 120, "the scrape got going", step=0.2)

    response = post_photo(client, jpeg_of(scene(products, "men", 5)))
    status_url = response.json()["status_url"]
    body = wait_until(
        lambda: (b := client.get(status_url).json())["status"] in ("done", "failed") and b, 60, "the look finished"
    )
    assert body["status"] == "done", body.get("error")
    run.refresh_from_db()
    assert run.status == ScrapeRun.Status.RUNNING  # the look did not wait for the scrape to end
    assert run.processed < 360
