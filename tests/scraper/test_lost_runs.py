"""A scrape whose worker was killed is closed, by the sweep or by its own node starting again."""

import pytest
from django.utils import timezone

from scraper.models import LOST_MESSAGE, ScrapeRun, close_lost_runs
from scraper.tasks import sweep_lost_scrapes

pytestmark = pytest.mark.django_db


def run(status: str = ScrapeRun.Status.RUNNING, silent_for: float = 0, worker: str = "scrape@a") -> ScrapeRun:
    when = timezone.now() - timezone.timedelta(seconds=silent_for)
    return ScrapeRun.objects.create(
        profile="demo", status=status, started_at=when, heartbeat=when, worker=worker, products_new=7
    )


def test_the_sweep_closes_runs_whose_progress_stopped_and_keeps_what_they_counted(settings):
    settings.SCRAPE_STALE_SECONDS = 600
    killed, alive = run(silent_for=601), run(silent_for=30)
    finished = run(ScrapeRun.Status.DONE, silent_for=9000)
    sweep_lost_scrapes()
    killed.refresh_from_db(), alive.refresh_from_db(), finished.refresh_from_db()
    assert (killed.status, killed.message, killed.products_new) == (ScrapeRun.Status.FAILED, LOST_MESSAGE, 7)
    assert killed.finished_at is not None
    assert (alive.status, finished.status) == (ScrapeRun.Status.RUNNING, ScrapeRun.Status.DONE)


def test_a_node_starting_again_closes_the_runs_it_held_at_once():
    mine, other = run(worker="scrape@a"), run(worker="scrape@b")
    assert close_lost_runs(600, worker="scrape@a") == [mine.pk]
    other.refresh_from_db()
    assert other.status == ScrapeRun.Status.RUNNING


def test_saving_progress_beats_the_heart():
    r = run(silent_for=3600)
    r.save_progress()
    r.refresh_from_db()
    assert (timezone.now() - r.heartbeat).total_seconds() < 60
    assert close_lost_runs(600) == []
