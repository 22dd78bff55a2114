"""Celery tasks of the scraper: thin wrappers that look up a run and call the service."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings

from .models import ScrapeRun, close_lost_runs

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, soft_time_limit=4 * 3600 - 60, time_limit=4 * 3600)
def scrape_catalog_task(self, run_id: int, base_url: str | None = None) -> None:
    """Run ScrapeRun `run_id`; its row records progress and outcome."""
    # Imported here: a worker that only runs looks never loads Selenium (12 MB in each of its processes).
    from .service import resolve_profile, run_scrape

    run = ScrapeRun.objects.get(pk=run_id)
    run.worker = self.request.hostname or ""
    ScrapeRun.objects.filter(pk=run.pk).update(worker=run.worker)
    run_scrape(run, resolve_profile(run.profile, base_url))


# Routed to the looks queue (settings): it must run while the scrape worker is the one that is lost.
@shared_task(time_limit=60)
def sweep_lost_scrapes() -> None:
    """Close runs whose worker was killed: "running" with no progress saved for SCRAPE_STALE_SECONDS."""
    for run_id in close_lost_runs(settings.SCRAPE_STALE_SECONDS):
        logger.warning(
            "scrape %s: no progress for %d s, its worker was lost; closed", run_id, settings.SCRAPE_STALE_SECONDS
        )


@worker_ready.connect
def _close_own_lost_runs(sender, **kwargs) -> None:
    # A scrape node that starts cannot be running anything: runs that name it died with it.
    queues = sender.app.amqp.queues
    if "scrape" not in (queues.consume_from or queues):
        return
    for run_id in close_lost_runs(0, worker=sender.hostname):
        logger.warning("scrape %s was running on %s when it stopped: closed", run_id, sender.hostname)
