"""The ingest worker's second job: read each photo's view and make the preferred one the product's thumbnail."""

import pytest

from catalog.ingest import upsert_product
from catalog.models import ProductImage
from catalog.photo_views import classify_views, unclassified_product_ids
from detection.models.product_views import view_classifier
from tests.catalog.factories import blob, record
from tests.shopthelook.demo_catalog import demo_products, ingest

pytestmark = pytest.mark.django_db
ALL_VIEWS = ("front", "back", "side", "detail", "model")


def test_photos_get_views_and_each_product_one_thumbnail_of_the_preferred_view():
    products = [p for p in demo_products() if p.category == "footwear" and "side" in p.views][:3]
    products += [p for p in demo_products() if p.category == "topwear" and "back" in p.views][:3]
    stored = ingest(products, views=ALL_VIEWS)
    ids = [p.pk for p in stored.values()]
    # given: the scrape chose thumbnails from the shop's words alone (front first)
    assert unclassified_product_ids() == sorted(ids)
    # when
    assert classify_views(ids) == len(ids)
    # then
    assert not ProductImage.objects.filter(predicted_view="").exists()
    assert unclassified_product_ids() == []
    for product in stored.values():
        images = list(product.images.all())
        assert sum(i.is_thumbnail for i in images) == 1
        assert all(0 < i.predicted_view_score <= 1 for i in images)
    shoes = [stored[p.product_id].thumbnail.view for p in products[:3]]
    assert shoes.count("side") >= 2, shoes  # one shoe in profile, not the pair the shop lists first
    assert classify_views(ids) == 0  # nothing new: nothing read again
    assert classify_views(ids, force=True) == len(ids)


def test_a_rescraped_photo_is_read_again_and_a_missing_file_skips_only_its_product():
    product, _ = upsert_product(record("A1", images=(blob("red", "front"), blob("blue", "back"))))
    other, _ = upsert_product(record("A2", images=(blob("green", "front"),)))
    assert classify_views([product.pk, other.pk]) == 2
    upsert_product(record("A1", images=(blob("red", "front"), blob("black", "side"))))
    assert unclassified_product_ids() == [product.pk]
    image = other.images.get()
    image.image.storage.delete(image.image.name)
    assert classify_views([product.pk, other.pk], force=True) == 1
    assert product.images.filter(is_thumbnail=True).count() == 1


def test_a_product_the_shop_gave_no_type_gets_one_read_from_its_photos_until_the_shop_names_one():
    shoes = next(p for p in demo_products() if p.article_type == "boots")
    stored = ingest([shoes], views=ALL_VIEWS)[shoes.product_id]
    stored.article_type = ""
    stored.save(update_fields=["article_type"])
    classify_views([stored.pk])
    stored.refresh_from_db()
    assert stored.article_type_predicted and stored.article_type in ("sneakers", "boots", "heels", "sandals")
    read = stored.article_type
    # a re-scrape that still names no type keeps the reading; one that names it replaces it
    upsert_product(record(shoes.product_id, category="footwear", images=(blob("red", "side"),)))
    stored.refresh_from_db()
    assert stored.article_type == read and stored.article_type_predicted
    upsert_product(record(shoes.product_id, category="footwear", article_type="boots", images=(blob("red", "side"),)))
    stored.refresh_from_db()
    assert stored.article_type == "boots" and not stored.article_type_predicted
    classify_views([stored.pk])
    stored.refresh_from_db()
    assert stored.article_type == "boots"  # a type the shop gave is never overwritten


def test_a_new_view_classifier_makes_every_reading_stale():
    # given: every photo read by the shipped view classifier
    product, _ = upsert_product(record("B1", images=(blob("red", "front"), blob("blue", "back"))))
    classify_views([product.pk])
    assert unclassified_product_ids() == []
    assert set(product.images.values_list("view_model_sha256", flat=True)) == {view_classifier.entry.sha256}
    # when: the readings are another model's (as after new weights ship)
    ProductImage.objects.filter(product=product).update(view_model_sha256="0" * 64)
    # then: the product is read again, and then no longer stale
    assert unclassified_product_ids() == [product.pk]
    assert classify_views([product.pk]) == 1
    assert unclassified_product_ids() == []
