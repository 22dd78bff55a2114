"""The demo catalog the look tests shop in: its products, and the catalog stored and embedded."""

import pytest

from catalog.product_vectors import embed_products
from tests.shopthelook.demo_catalog import demo_products, ingest


@pytest.fixture(scope="module")
def products():
    return demo_products()


@pytest.fixture
def catalog(products):
    stored = ingest(products)
    embed_products([p.pk for p in stored.values()])
    return stored
