"""Celery tasks of the scraper: thin wrappers that look up a run and call the service."""

from __future__ import annotations

from celery import shared_task

from .models import ScrapeRun


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=4 * 3600 - 60, time_limit=4 * 3600)
def scrape_catalog_task(run_id: int, base_url: str | None = None) -> None:
    """Run ScrapeRun `run_id`; its row records progress and outcome."""
    # Imported here: a worker that only runs looks never loads Selenium (12 MB in each of its processes).
    from .service import resolve_profile, run_scrape

    run = ScrapeRun.objects.get(pk=run_id)
    run_scrape(run, resolve_profile(run.profile, base_url))
