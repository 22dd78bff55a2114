"""Nothing a shopper did is lost and no endpoint is flooded: the sweep, failing changes, atomic limits."""

import io
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import Gender, Product
from shopthelook import tasks
from shopthelook.lifecycle import CHANGE_LOST, stale_looks
from shopthelook.models import Look, LookItem, Recommendation
from tests.catalog.factories import jpeg

pytestmark = pytest.mark.django_db(transaction=True)

PERSON = {"box": [0, 0, 100, 200], "shot": "full", "garments": [], "facing": "front", "face": None}
PERSON["gender"] = {"p_women": 0.1, "source": "figure", "label": "men"}


def finished_look(**fields) -> Look:
    look = Look(status=Look.Status.DONE, width=240, height=360, finished=timezone.now(), attempts=1, **fields)
    look.photo.save("p.jpg", ContentFile(jpeg("navy", (240, 360))), save=False)
    look.save()
    return look


def aged(look: Look, seconds: float, **fields) -> None:
    when = timezone.now() - timezone.timedelta(seconds=seconds)
    Look.objects.filter(pk=look.pk).update(created=when, **fields)


def test_the_sweep_never_reanalyses_a_finished_look_that_is_being_rematched():
    # given: a finished look an hour old whose shopper just drew a box (it says "matching")
    look = finished_look()
    drawn = LookItem.objects.create(look=look, category="topwear", source="shopper", x1=0, y1=0, x2=50, y2=50)
    aged(look, 3600, status=Look.Status.MATCHING, changed=timezone.now())
    # when the sweep runs
    assert stale_looks(max_age_seconds=300, max_attempts=3) == []
    # then it is left to its change: not queued, not failed, the drawn box kept
    look.refresh_from_db()
    assert look.status == Look.Status.MATCHING and look.attempts == 1
    assert LookItem.objects.filter(pk=drawn.pk).exists()


def test_a_change_whose_worker_was_lost_gives_the_look_back_with_its_results():
    look = finished_look()
    drawn = LookItem.objects.create(look=look, category="topwear", source="shopper", x1=0, y1=0, x2=50, y2=50)
    aged(look, 3600, status=Look.Status.MATCHING, changed=timezone.now() - timezone.timedelta(seconds=600))
    assert stale_looks(max_age_seconds=300, max_attempts=3) == []
    look.refresh_from_db()
    assert (look.status, look.error) == (Look.Status.DONE, CHANGE_LOST)
    assert LookItem.objects.filter(pk=drawn.pk).exists()


def test_a_failing_rematch_leaves_the_look_done_with_its_results_and_gender():
    # given: a finished look for men, with one result, whose stored vector cannot be read
    look = finished_look(gender_choice="men", searched_genders="men")
    product = Product.objects.create(
        source="t", external_id="1", url="http://127.0.0.1/1", title="Tee", gender=Gender.MEN,
        category="topwear", price=10, last_seen=timezone.now(),
    )  # fmt: skip
    item = LookItem.objects.create(look=look, category="topwear", vector=b"\x01\x02\x03", x1=0, y1=0, x2=9, y2=9)
    Recommendation.objects.create(item=item, product=product, rank=1, similarity=0.9)
    Look.objects.filter(pk=look.pk).update(status=Look.Status.MATCHING, gender_choice="women")
    # when the shopper's switch to women is re-matched, and fails
    tasks.rematch_look(str(look.pk), "women", "men")
    # then the look is done again, as it was, and says why
    look.refresh_from_db()
    assert (look.status, look.gender_choice) == (Look.Status.DONE, "men")
    assert "could not be made" in look.error
    assert list(item.recommendations.values_list("product_id", flat=True)) == [product.pk]


def test_a_drawn_box_that_cannot_be_matched_is_removed_and_the_look_is_done(monkeypatch):
    look = finished_look()
    drawn = LookItem.objects.create(look=look, category="topwear", source="shopper", x1=0, y1=0, x2=50, y2=50)
    Look.objects.filter(pk=look.pk).update(status=Look.Status.MATCHING)
    look.photo.storage.delete(look.photo.name)  # the photo is gone: matching the box raises
    tasks.match_region(drawn.pk)
    look.refresh_from_db()
    assert look.status == Look.Status.DONE and "draw it again" in look.error
    assert not LookItem.objects.filter(pk=drawn.pk).exists()


@pytest.fixture
def queued(monkeypatch) -> list:
    sent = []
    lock = threading.Lock()

    def send(*args):
        with lock:
            sent.append(args)

    monkeypatch.setattr("shopthelook.tasks.shop_person.delay", send)
    return sent


def _concurrently(n: int, call) -> list[int]:
    def one(_):
        try:
            return call()
        finally:
            connection.close()  # each thread opened its own

    with ThreadPoolExecutor(16) as pool:
        return list(pool.map(one, range(n)))


def test_many_concurrent_person_switches_queue_one_rematch(queued, settings):
    settings.LOOK_CHANGE_RATE_LIMIT = 1000  # the per-look gate alone, not the per-client limit
    settings.LOOK_CHANGES_PER_LOOK = 1000
    look = finished_look(people=[PERSON, PERSON])
    url = reverse("api-look-person", args=[look.pk])
    codes = _concurrently(60, lambda: Client().post(url, {"person": "1"}).status_code)
    assert codes.count(202) == 1 and codes.count(409) == 59, codes
    assert queued == [(str(look.pk), 1)]


def test_changes_to_a_look_are_rate_limited_per_look_with_retry_after(queued, settings):
    settings.LOOK_CHANGES_PER_LOOK = 2
    look = finished_look(people=[PERSON, PERSON])
    url = reverse("look-person", args=[look.pk])
    answers = []
    for _ in range(3):
        answers.append(Client().post(url, {"person": "1"}))
        Look.objects.filter(pk=look.pk).update(status=Look.Status.DONE)  # each re-match done before the next
    assert [a.status_code for a in answers] == [202, 202, 429]
    assert 0 < int(answers[2]["Retry-After"]) <= 60
    assert len(queued) == 2


def test_a_burst_of_uploads_cannot_pass_the_limit(settings, monkeypatch):
    monkeypatch.setattr("shopthelook.tasks.analyse_look.delay", lambda *a: None)
    settings.LOOK_RATE_LIMIT = 5

    def post() -> int:
        photo = io.BytesIO(jpeg("navy", (240, 360)))
        photo.name = "me.jpg"
        return Client().post(reverse("api-looks"), {"photo": photo}).status_code

    codes = _concurrently(24, post)
    assert codes.count(202) == 5 and codes.count(429) == 19, codes
    assert Look.objects.count() == 5


def test_a_photo_too_small_to_show_an_outfit_is_refused_and_stored_nowhere(media_root):
    photo = io.BytesIO(jpeg("navy", (1, 1)))
    photo.name = "dot.jpg"
    response = Client().post(reverse("api-looks"), {"photo": photo})
    assert response.status_code == 400 and "too small to show an outfit" in response.json()["error"]
    assert Look.objects.count() == 0 and not any(p.is_file() for p in media_root.rglob("*"))
