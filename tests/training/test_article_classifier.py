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
    assert sum(map(sum, report["confusion"])) == report["held_out_products"]  # each held-out product once
    assert report["product_accuracy"] > 2 / len(report["classes"])  # well above chance, on unseen designs
    assert (tmp_path / "confusion.png").exists() and (tmp_path / "articles.json").exists()
    assert (WEIGHTS_DIR / "manifest.json").read_bytes() == manifest  # --no-ship leaves the shipped model alone
