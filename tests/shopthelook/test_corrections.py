"""The shopper corrects what was read of a garment (its type, its colour) and the results follow their word."""

import json
from collections import Counter

import pytest
from django.urls import reverse

from catalog.models import Product
from catalog.product_vectors import embed_products
from shopthelook import pipeline
from shopthelook.looks import CORRECTED_FIELDS
from shopthelook.models import Look
from tests.shopthelook.demo_catalog import demo_products, ingest, jpeg_of, scene
from tests.shopthelook.test_pipeline import look_from

pytestmark = pytest.mark.django_db


@pytest.fixture
def products():
    return demo_products()


@pytest.fixture
def done_look(products) -> Look:
    stored = ingest(products)
    embed_products([p.pk for p in stored.values()])
    look = look_from(jpeg_of(scene(products, "men", 4)), "men")
    pipeline.run_look(look.pk)
    look.refresh_from_db()
    assert look.status == Look.Status.DONE and look.items.exists()
    return look


def _other_colour(item) -> str:
    """The colour the partition lists most products in, other than the one read for the item."""
    colours = Product.objects.filter(category=item.category, gender__in=["men", "unisex"]).values_list(
        "colour", flat=True
    )
    counts = Counter(c for c in colours if c != item.colour_name)
    return counts.most_common(1)[0][0]


def test_every_garment_is_named_a_catalog_colour_and_its_results_say_what_they_share(done_look, client):
    body = json.loads(client.get(reverse("api-look", args=[done_look.pk])).content)
    listed = set(Product.objects.values_list("colour", flat=True))
    assert body["choices"]["colours"] == sorted(listed)
    for item in body["items"]:
        assert item["colour"] in listed and not item["colour_chosen"] and not item["type_chosen"]
        assert [t for t, _ in body["choices"]["types"][item["category"]]]
        for rec in item["recommendations"]:
            assert ("same colour" in rec["shares"]) == (rec["colour"].lower() == item["colour"].lower())
            assert ("same type" in rec["shares"]) == (rec["article_type"] == item["article_type"])


def test_a_chosen_colour_and_type_bring_products_of_that_colour_and_type_first(done_look, settings):
    settings.LOOK_RANKING = "colour=2,texture=0,type=2"
    item = done_look.items.first()
    colour = _other_colour(item)
    before = list(item.recommendations.values_list("product__colour", flat=True)[:8])
    article_type = Product.objects.filter(category=item.category, colour=colour).values_list("article_type", flat=True)[
        0
    ]
    # when: the shopper's word is stored on the item (as looks.correct_item does) and it is searched again
    item.colour_name, item.colour_chosen = colour, True
    item.article_type, item.article_score, item.type_chosen = article_type, 1.0, True
    item.save()
    pipeline.rematch_item(item.pk)
    # then: the first results are of that colour and type, as far as the partition holds them
    recs = list(item.recommendations.select_related("product")[:8])
    both = Product.objects.filter(
        category=item.category, colour=colour, article_type=article_type, gender__in=["men", "unisex"]
    ).count()
    agreeing = sum(r.product.colour == colour and r.product.article_type == article_type for r in recs)
    assert both >= 1 and agreeing >= min(len(recs), both) - 1  # one may be an exact match that stays first
    of_colour = sum(r.product.colour == colour for r in recs)
    assert of_colour >= min(len(recs), Product.objects.filter(category=item.category, colour=colour).count()) - 1
    assert of_colour > sum(c == colour for c in before)
    assert [r.rank for r in recs] == list(range(1, len(recs) + 1))


def test_a_correction_is_checked_queued_and_shown(done_look, client, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr("shopthelook.tasks.rematch_item.delay", lambda *args: queued.append(args))
    item = done_look.items.first()
    url = reverse("api-look-item", args=[done_look.pk, item.pk])
    assert client.post(url, {}).status_code == 400  # neither a type nor a colour
    assert client.post(url, {"article_type": "heels" if item.category != "footwear" else "jeans"}).status_code == 400
    assert client.post(url, {"colour": "Ultraviolet"}).status_code == 400
    assert client.post(reverse("api-look-item", args=[done_look.pk, 999999]), {"colour": "Black"}).status_code == 400
    assert not queued and Look.objects.get(pk=done_look.pk).status == Look.Status.DONE  # nothing changed
    colour = _other_colour(item)
    before = {f: getattr(item, f) for f in CORRECTED_FIELDS}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"colour": colour.lower()})  # any case: stored as the catalog spells it
    assert response.status_code == 202
    item.refresh_from_db()
    assert (item.colour_name, item.colour_chosen, item.type_chosen) == (colour, True, False)
    # the task carries what the item said before, to put back if the re-match fails
    assert queued == [(item.pk, before)]
    assert Look.objects.get(pk=done_look.pk).status == Look.Status.MATCHING
    # a second change while the first is matching is refused, and changes nothing
    assert client.post(url, {"colour": "Black"}).status_code == 409


def test_a_failed_rematch_restores_what_the_item_said(done_look, monkeypatch):
    from shopthelook import tasks

    item = done_look.items.first()
    previous = {f: getattr(item, f) for f in CORRECTED_FIELDS}
    item.colour_name, item.colour_chosen = _other_colour(item), True
    item.save()
    Look.objects.filter(pk=done_look.pk).update(status=Look.Status.MATCHING)

    def broken(item_id):
        raise RuntimeError("the index is away")

    monkeypatch.setattr(pipeline, "rematch_item", broken)
    tasks.rematch_item(item.pk, previous)
    item.refresh_from_db()
    assert {f: getattr(item, f) for f in previous} == previous
    look = Look.objects.get(pk=done_look.pk)
    assert look.status == Look.Status.DONE and look.error == tasks.CHANGE_FAILED
