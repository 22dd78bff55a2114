"""Products are unique per source, and the partitions can be queried and counted."""

import pytest
from django.db import IntegrityError
from django.utils import timezone

from catalog.ingest import upsert_product
from catalog.models import Product
from catalog.search import PARTITIONS, partition_sizes
from tests.catalog.factories import record

pytestmark = pytest.mark.django_db


def make(external_id: str, gender: str, category: str) -> Product:
    return Product.objects.create(
        source="demo",
        external_id=external_id,
        url="http://127.0.0.1/p",
        title="t",
        gender=gender,
        category=category,
        last_seen=timezone.now(),
    )


def test_source_and_external_id_are_unique():
    make("X", "men", "topwear")
    with pytest.raises(IntegrityError):
        make("X", "women", "footwear")


def test_partition_includes_unisex_products_for_both_genders():
    make("M", "men", "footwear")
    make("W", "women", "footwear")
    make("U", "unisex", "footwear")
    make("T", "men", "topwear")

    assert set(Product.objects.in_partition("men", "footwear").values_list("external_id", flat=True)) == {"M", "U"}
    assert set(Product.objects.in_partition("women", "footwear").values_list("external_id", flat=True)) == {"W", "U"}
    sizes = {(p.gender, p.category): n for p, n in partition_sizes()}
    assert sizes[("men", "footwear")] == 2 and sizes[("men", "topwear")] == 1 and sizes[("women", "topwear")] == 0
    assert len(PARTITIONS) == 6


def test_thumbnail_is_the_front_view_even_when_it_is_not_first():
    product, _ = upsert_product(record())
    assert product.thumbnail.view == "front"
    assert product.images.filter(is_thumbnail=True).count() == 1
