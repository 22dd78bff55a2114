"""Celery tasks of the catalog: embed freshly scraped products so they are searchable at once, and read their views."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from celery import shared_task
from celery.signals import worker_ready
from django.db import transaction

logger = logging.getLogger(__name__)

EMBED_BATCH = 32  # products per task: a few seconds of work, so a scrape's products trickle in


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=600)
def embed_products_task(product_ids: list[int]) -> int:
    # The worker loads LiteRT; the web process never does.
    from .photo_views import classify_views
    from .product_vectors import embed_products

    report = embed_products(product_ids)
    classify_views(product_ids)  # after the vectors: a search needs them more than a thumbnail
    if report.failed:  # logged per product; the batch's other products are stored
        logger.error("%d of %d products could not be embedded: %s", len(report.failed), len(product_ids), report.failed)
    return report.done


def queue_embedding(product_ids: Sequence[int]) -> None:
    """Queue vectors for `product_ids`, in batches, once the rows they read are committed."""
    ids = list(product_ids)
    for start in range(0, len(ids), EMBED_BATCH):
        batch = ids[start : start + EMBED_BATCH]
        transaction.on_commit(lambda batch=batch: embed_products_task.delay(batch))


@shared_task(acks_late=True, time_limit=3600)
def embed_stale_products_task() -> int:
    """Queue vectors for every product whose vector is missing or was made by another embedder, and views
    for every product with a photo not yet read."""
    from .photo_views import unclassified_product_ids
    from .product_vectors import stale_product_ids

    ids = sorted(set(stale_product_ids()) | set(unclassified_product_ids()))
    queue_embedding(ids)
    return len(ids)


@worker_ready.connect
def _embed_stale_on_start(sender, **kwargs) -> None:
    # New weights make every stored vector stale: an ingest worker starting on them brings the
    # catalog up to date by itself, without waiting for someone to run rebuild_index. Only an
    # ingest worker does: four looks workers starting would queue the same work four times.
    queues = sender.app.amqp.queues
    if "ingest" in (queues.consume_from or queues):
        embed_stale_products_task.delay()
