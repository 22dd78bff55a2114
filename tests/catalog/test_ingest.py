"""upsert_product: creates, updates in place, replaces images, and is all-or-nothing."""

from decimal import Decimal

import pytest
from django.core.files.storage import default_storage

from catalog.ingest import upsert_product
from catalog.models import Product, ProductImage
from tests.catalog.factories import blob, record
from tests.helpers import media_files

pytestmark = pytest.mark.django_db(transaction=True)


def test_first_scrape_creates_product_and_image_files(media_root):
    product, created = upsert_product(record())

    assert created
    assert product.images.count() == 2
    assert len(media_files(media_root)) == 2
    assert all(default_storage.exists(img.image.name) for img in product.images.all())


def test_rescrape_updates_in_place_without_duplicates(media_root):
    first, _ = upsert_product(record(price=Decimal("999")))
    first_seen, names = first.first_seen, set(first.images.values_list("image", flat=True))

    again, created = upsert_product(record(price=Decimal("799"), in_stock=False))

    assert not created and again.pk == first.pk
    assert Product.objects.count() == 1
    again.refresh_from_db()
    assert again.price == Decimal("799") and again.in_stock is False
    assert again.first_seen == first_seen and again.last_seen > first_seen
    assert set(again.images.values_list("image", flat=True)) == names  # same photos: files untouched
    assert len(media_files(media_root)) == 2


def test_changed_photos_replace_the_old_ones_and_their_files(media_root):
    upsert_product(record())
    product, _ = upsert_product(record(images=(blob("green", "front"),)))

    assert list(product.images.values_list("view", flat=True)) == ["front"]
    assert ProductImage.objects.count() == 1
    assert len(media_files(media_root)) == 1  # the two old files are gone


def test_failure_while_writing_images_leaves_nothing_behind(media_root, monkeypatch):
    # given a storage that fails on the second file
    real_save = default_storage.save
    calls = {"n": 0}

    def failing_save(name, content, max_length=None):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return real_save(name, content, max_length=max_length)

    monkeypatch.setattr(default_storage, "save", failing_save)

    # when the product is ingested
    with pytest.raises(OSError, match="disk full"):
        upsert_product(record())

    # then no row and no file remain
    assert Product.objects.count() == 0 and ProductImage.objects.count() == 0
    assert media_files(media_root) == []


def test_failed_update_keeps_the_previous_version(media_root, monkeypatch):
    upsert_product(record(price=Decimal("999")))
    before = media_files(media_root)
    monkeypatch.setattr(default_storage, "save", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))

    with pytest.raises(OSError, match="disk full"):
        upsert_product(record(price=Decimal("1"), images=(blob("green", "front"),)))

    product = Product.objects.get()
    assert product.price == Decimal("999") and product.images.count() == 2
    assert media_files(media_root) == before


def test_a_product_without_images_is_refused():
    with pytest.raises(ValueError, match="at least one image"):
        upsert_product(record(images=()))
    assert Product.objects.count() == 0


def test_invalid_partition_is_refused_and_nothing_is_written(media_root):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        upsert_product(record(gender="kids"))
    assert Product.objects.count() == 0 and media_files(media_root) == []
