"""`benchmark_ingest` times a real ingest worker re-embedding a copy of the catalog, and leaves the catalog alone."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from catalog.models import ProductEmbedding
from catalog.product_vectors import embed_products
from tests.shopthelook.demo_catalog import demo_products, ingest

pytestmark = pytest.mark.slow


def test_an_ingest_worker_embeds_every_product_of_the_copy(transactional_db, media_root):
    stored = ingest(demo_products()[:12])
    embed_products([p.pk for p in stored.values()])
    before = sorted(ProductEmbedding.objects.values_list("product_id", "vector"))
    out = StringIO()
    call_command("benchmark_ingest", processes=1, json=True, stdout=out)
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["products"] == len(stored) and result["processes"] == 1
    assert result["products_per_s"] > 0 and result["photos"] >= result["products"]
    assert sorted(ProductEmbedding.objects.values_list("product_id", "vector")) == before  # the copy, not ours
