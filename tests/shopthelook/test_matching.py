"""Each garment of a look matched: the partitions searched, the ranking's order, and the second thread's share."""

import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import astuple
from itertools import pairwise

import numpy as np
import pytest
from PIL import Image

from catalog.ranking_rows import ranking_rows
from detection.boxes import Box
from detection.gender_reading import GenderReading
from detection.models.embedder import embedder
from embeddings.feature_codec import from_bytes
from embeddings.index import Hit
from embeddings.ranking import RankWeights, agreements
from shopthelook import pipeline
from shopthelook.matching import as_worn, genders_to_search, matched
from tests.shopthelook.demo_catalog import jpeg_of, look_from, scene

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("choice", "reading", "expected"),
    [
        ("men", GenderReading(0.99, "face"), ["men"]),  # the shopper's choice wins
        ("all", GenderReading(0.01, "face"), ["men", "women"]),
        ("auto", GenderReading(0.95, "face"), ["women"]),
        ("auto", GenderReading(0.05, "figure"), ["men"]),
        ("auto", GenderReading(0.9, "unsure"), ["men", "women"]),  # unsure: both partitions
        ("auto", None, ["men", "women"]),  # nobody seen
    ],
)
def test_which_genders_are_searched(choice, reading, expected):
    assert genders_to_search(choice, reading) == expected


def test_the_results_are_stored_in_the_rankings_order(products, catalog, settings):
    # given: the ranking weighs the colours and the type the garment shares with each product
    settings.LOOK_RANKING = "colour=0.25,texture=0.3,type=2,name=1"
    weights = RankWeights.parse(settings.LOOK_RANKING)
    look = look_from(jpeg_of(scene(products, "women", 3)))
    # when
    pipeline.run_look(look.pk)
    # then: the embedder's first, then the rest by similarity plus the weighted agreements
    look.refresh_from_db()
    assert look.items.exists()
    for item in look.items.all():
        recs = list(item.recommendations.all())
        worn = as_worn(item)  # what was read of the garment, its colour names' fit included
        (found,) = ranking_rows.candidates([[Hit(r.product_id, r.similarity) for r in recs]])
        assert all(c.colours is not None for c in found)  # every product's colours were read at ingest
        scores = [c.similarity + float(np.dot(astuple(weights), agreements(worn, c))) for c in found]
        assert recs[0].similarity == max(r.similarity for r in recs)  # the embedder's first stays first
        assert all(a >= b - 1e-6 for a, b in pairwise(scores[1:]))


def test_a_busy_second_thread_gives_the_garments_embedding_back(products, catalog):
    # given: the second thread still reading the other people's genders (a group photo)
    shot = scene(products, "men", 5)
    look = look_from(jpeg_of(shot))
    image = Image.open(io.BytesIO(jpeg_of(shot))).convert("RGB")
    garments = [Box(b.label, 1.0, b.x1, b.y1, b.x2, b.y2) for b in shot.boxes if b.product_id]
    others_read, timings = threading.Event(), {}
    pool = ThreadPoolExecutor(max_workers=1)
    pool.submit(others_read.wait, 30)
    # when: the garments are matched
    started = time.monotonic()
    try:
        items, _, genders = matched(
            look, image, garments, ["detector"] * len(garments), lambda: None, None, timings, None, pool
        )
        took = time.monotonic() - started
    finally:
        others_read.set()
        pool.shutdown()
    # then: this thread embedded them itself, rather than waiting behind the others
    assert took < 10 and timings["embed"] > 0 and genders == ["men", "women"]
    expected = [embedder().predict(image, g.as_tuple()) for g in garments]
    assert all(np.allclose(from_bytes("vector", i.vector), e, atol=1e-6) for i, e in zip(items, expected, strict=True))
