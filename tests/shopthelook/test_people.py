"""Several people in one photo: each stored with what was seen, and the shopper may shop another one."""

import io
import json

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from catalog.product_vectors import embed_products
from shopthelook import pipeline
from shopthelook.models import Look, LookItem
from tests.shopthelook.demo_catalog import demo_products, ingest

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    stored = ingest(demo_products())
    embed_products([p.pk for p in stored.values()])
    return stored


@pytest.fixture
def two_men(real_photos, catalog) -> Look:
    """basketball1 analysed by the pipeline: two men, the one seen whole first."""
    _, path = real_photos["basketball1.png"]
    with Image.open(path) as image:
        out = io.BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=92)
        look = Look(width=image.width, height=image.height)
    look.photo.save("x.jpg", ContentFile(out.getvalue()), save=False)
    look.save()
    pipeline.run_look(look.pk)
    look.refresh_from_db()
    return look


def test_each_person_is_stored_with_shot_facing_gender_and_garments(two_men, client):
    assert two_men.status == Look.Status.DONE
    assert len(two_men.people) == 2 and two_men.person == 0
    main = two_men.people[0]
    assert main["shot"] == "full shot" and main["facing"] in ("front", "back", "side")
    assert main["gender"]["source"] in ("face", "figure", "unsure")
    assert {g["category"] for g in main["garments"]} == {i.category for i in two_men.items.all()}

    body = json.loads(client.get(reverse("api-look", args=[two_men.pk])).content)
    assert [p["index"] for p in body["people"]] == [0, 1] and body["person"] == 0
    assert body["seen"]["shot"] == "full shot" and body["seen"]["gender_from"] == two_men.gender_source
    assert all(item["source"] in ("detector", "pose") for item in body["items"])


def test_shopping_the_second_person_replaces_the_items_and_keeps_the_shoppers_box(two_men, monkeypatch):
    drawn = LookItem.objects.create(look=two_men, category="topwear", source="shopper", x1=1, y1=1, x2=60, y2=60)
    first = set(two_men.items.exclude(pk=drawn.pk).values_list("pk", flat=True))
    # the models that read the scene must not run again: only the embedder does
    monkeypatch.setattr(pipeline, "read_scene", lambda *a, **k: pytest.fail("the photo was analysed again"))

    pipeline.shop_person(two_men.pk, 1)

    two_men.refresh_from_db()
    assert two_men.person == 1
    second = set(two_men.items.exclude(pk=drawn.pk).values_list("pk", flat=True))
    assert second and second.isdisjoint(first)
    boxes = [i.box for i in two_men.items.exclude(pk=drawn.pk)]
    assert sorted(boxes) == sorted(tuple(g["box"]) for g in two_men.people[1]["garments"])
    assert LookItem.objects.filter(pk=drawn.pk).exists()
    assert two_men.gender_source == two_men.people[1]["gender"]["source"]


def test_picking_a_person_is_checked_and_queued(two_men, client, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr("shopthelook.tasks.shop_person.delay", lambda *args: queued.append(args))
    api = reverse("api-look-person", args=[two_men.pk])
    assert client.post(api, {"person": "7"}).status_code == 400
    assert client.post(api, {"person": "one"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(api, {"person": "1"})  # the API needs no CSRF token, like POST /api/looks
    assert response.status_code == 202
    assert queued == [(str(two_men.pk), 1)]
