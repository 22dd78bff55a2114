"""`train_article_classifier` learns article types from catalog photos and scores products it never saw."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from tests.shopthelook.demo_catalog import demo_products, ingest

pytestmark = pytest.mark.slow


def test_article_types_are_scored_on_held_out_families(transactional_db, media_root, tmp_path):
    ingest(demo_products()[:90], views=("front", "back", "side", "detail", "model"))
    out = StringIO()
    from detection.registry import WEIGHTS_DIR

    manifest = (WEIGHTS_DIR / "manifest.json").read_bytes()
    call_command(
        "train_article_classifier",
        out=tmp_path,
        head_epochs=1,
        finetune_epochs=1,
        no_ship=True,
        json=True,
        stdout=out,
    )
    report = json.loads(out.getvalue().strip().splitlines()[-1])
    assert report["held_out_products"] > 0 and report["training_photos"] > 0
    # the epoch is chosen on families kept out of both training and the test
    assert report["validation_products"] > 0 and report["epoch_kept"] == 1
    assert 0.0 <= report["val_accuracy"] <= 1.0
    assert sum(map(sum, report["confusion"])) == report["held_out_products"]  # each held-out product once
    assert report["product_accuracy"] > 2 / len(report["classes"])  # well above chance, on unseen designs
    assert (tmp_path / "confusion.png").exists() and (tmp_path / "articles.json").exists()
    assert (WEIGHTS_DIR / "manifest.json").read_bytes() == manifest  # --no-ship leaves the shipped model alone


def test_product_accuracy_reads_a_products_photos_together_within_its_category():
    import numpy as np

    from training.article_types import ValidationSet, product_accuracy

    classes = ["boots", "jeans", "sneakers", "tshirt"]
    footwear = ("boots", "sneakers")
    # given product 1 (sneakers) whose photos lean to jeans, then sneakers, then boots
    p = np.array([[0.1, 0.5, 0.3, 0.1], [0.0, 0.4, 0.5, 0.1], [0.5, 0.0, 0.2, 0.3], [0.0, 0.0, 0.1, 0.9]])
    val = ValidationSet(p, [1, 1, 1, 2], {1: "sneakers", 2: "tshirt"}, {1: footwear, 2: ("tshirt",)})
    # then the mean over its photos within footwear (sneakers 0.33 > boots 0.2) is right, though jeans leads overall
    assert product_accuracy(p, classes, val) == 1.0
    wrong = ValidationSet(p, [1, 1, 1, 2], {1: "boots", 2: "tshirt"}, {1: footwear, 2: ("tshirt",)})
    assert product_accuracy(p, classes, wrong) == 0.5
