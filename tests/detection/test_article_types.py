"""The shipped article-type classifier on a demo catalog it never saw, and on garments worn in a rendered scene."""

import pytest

from detection.models.article_types import article_classifier
from detection.taxonomy import ARTICLE_TYPES
from synthetic.designs import generate_catalog
from synthetic.views import render_view
from tests.shopthelook.demo_catalog import scene
from training.name_eval import classifier_names

CATEGORY_OF = {a.name: a.category for a in ARTICLE_TYPES}
THRESHOLD = 0.9  # the whole 120-product catalog scores 0.983; the held-out families of the demo catalog 0.944


@pytest.fixture(scope="module")
def products():
    return generate_catalog(n_products=60, seed=4242)  # tests/shopthelook/demo_catalog's unseen catalog


def test_most_products_of_an_unseen_catalog_get_their_type_from_their_photos(products):
    model = article_classifier()
    right = 0
    for p in products:
        photos = [render_view(p, v) for v in p.views if v not in ("model", "detail")]
        guess = model.predict(photos, p.category)
        assert CATEGORY_OF[guess.article_type] == p.category and 0 < guess.score <= 1
        right += guess.article_type == p.article_type
    assert right / len(products) >= THRESHOLD, right


def test_a_worn_garment_is_named_among_its_categorys_types(products):
    model = article_classifier()
    shot = scene(products, "women", 5)
    for box in shot.boxes:
        if box.product_id:
            guess = classifier_names(model)(shot.image, (box.x1, box.y1, box.x2, box.y2), box.label)
            assert CATEGORY_OF[guess.article_type] == box.label
    assert model.predict([], "footwear") is None
