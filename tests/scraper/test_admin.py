"""Staff start a scrape from admin; a real Celery worker runs it through Redis and Chromium."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import Product, ProductEmbedding
from catalog.product_vectors import stale_product_ids
from scraper.models import ScrapeRun

ADD = reverse("admin:scraper_scraperun_add")


@pytest.mark.django_db
def test_the_start_form_offers_the_shipped_profiles(admin_client):
    page = admin_client.get(ADD).content.decode()
    assert '<option value="demo"' in page and '<option value="myntra"' in page


@pytest.mark.django_db
def test_staff_without_scrape_permission_cannot_start_one(client, django_user_model):
    user = django_user_model.objects.create_user("clerk", password="pw-123456", is_staff=True)
    client.force_login(user)
    response = client.post(ADD, {"profile": "demo", "max_per_category": 1})
    assert response.status_code == 403
    assert ScrapeRun.objects.count() == 0


@pytest.mark.django_db
def test_starting_a_scrape_needs_a_csrf_token(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post(ADD, {"profile": "demo", "max_per_category": 1})
    assert response.status_code == 403
    assert ScrapeRun.objects.count() == 0


@pytest.mark.django_db
def test_progress_endpoint_is_for_staff_only(client, admin_client):
    run = ScrapeRun.objects.create(profile="demo", max_per_category=2, target=12, processed=3)
    url = reverse("admin:scraper_scraperun_progress", args=[run.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    data = admin_client.get(url).json()
    assert data["percent"] == 25 and data["status"] == "queued"


@pytest.mark.slow
def test_admin_scrape_runs_in_a_celery_worker_with_live_progress(admin_client, celery_worker):
    # when an admin starts a scrape
    response = admin_client.post(ADD, {"profile": "demo", "max_per_category": 2}, follow=True)

    # then the run's page is shown, with the live progress panel
    run = ScrapeRun.objects.get()
    assert response.redirect_chain[-1][0] == reverse("admin:scraper_scraperun_change", args=[run.pk])
    assert 'id="scrape-live"' in response.content.decode()

    # and a worker does the scrape, reporting progress as it goes
    url = reverse("admin:scraper_scraperun_progress", args=[run.pk])
    seen_statuses = set()
    deadline = time.monotonic() + 180
    while True:
        data = admin_client.get(url).json()
        seen_statuses.add(data["status"])
        if data["status"] in ("done", "failed"):
            break
        assert time.monotonic() < deadline, f"scrape still {data['status']} after 180 s"
        time.sleep(0.5)
    assert data["status"] == "done", data["message"]
    assert data["products_new"] == 12 and data["percent"] == 100 and data["pages"] == 6
    run.refresh_from_db()
    assert run.task_id and run.finished_at
    assert Product.objects.count() == 12
    # the scrape queued its products' embedding: the catalog becomes searchable with no manual step
    deadline = time.monotonic() + 60
    while ProductEmbedding.objects.count() < 12:
        assert time.monotonic() < deadline, f"{ProductEmbedding.objects.count()} of 12 products embedded after 60 s"
        time.sleep(0.2)
    assert stale_product_ids() == []


@pytest.mark.django_db
def test_a_scrape_that_cannot_be_queued_says_so_on_the_run(admin_client, django_capture_on_commit_callbacks):
    from shopthelook.servers import free_port, point_celery_at

    old = point_celery_at(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(ADD, {"profile": "demo", "max_per_category": 1})
    finally:
        point_celery_at(old)

    assert response.status_code == 302
    run = ScrapeRun.objects.get()
    assert run.status == ScrapeRun.Status.FAILED
    assert run.message.startswith("could not queue the scrape")
