"""`evaluate_article_classifier`: the shipped classifier on a catalog no choice has seen, never on a seen one."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from synthetic.designs import generate_catalog
from training.management.commands.evaluate_article_classifier import SEEDS_SEEN
from training.management.commands.train_article_classifier import LEFT_OUT


@pytest.mark.parametrize("seed", SEEDS_SEEN)
def test_a_seed_that_chose_the_model_is_refused(seed):
    with pytest.raises(CommandError, match="chose the shipped model"):
        call_command("evaluate_article_classifier", seed=seed, products=6)


def test_every_product_and_photo_of_the_unseen_catalog_is_scored():
    out = StringIO()
    call_command("evaluate_article_classifier", seed=5, products=18, json=True, stdout=out)
    report = json.loads(out.getvalue())
    products = generate_catalog(18, 5)
    assert report["products"] == 18
    assert report["photos"] == sum(1 for p in products for v in p.views if v not in LEFT_OUT)
    assert set(report["per_category"]) == {p.category for p in products}
    assert 0.5 < report["product_accuracy"] <= 1.0  # the shipped model, far above chance on its own studio
