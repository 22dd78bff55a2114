"""Product vectors from the shipped embedder, and the vector index following the catalog's rows."""

import io

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from catalog import product_vectors
from catalog.ingest import upsert_product
from catalog.models import Product, ProductEmbedding
from catalog.product_vectors import embed_products, stale_product_ids
from catalog.search import CatalogIndex
from detection.garment_colours import CLASSES, HISTOGRAM, LIGHTNESS_BINS
from detection.garment_colours import SIZE as COLOUR_SIZE
from tests.catalog.factories import blob, record
from tests.shopthelook.demo_catalog import demo_products, ingest

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def products():
    return demo_products()[:24]  # the first few of each partition


def test_scraped_products_get_unit_vectors_once(products):
    stored = ingest(products)
    ids = [p.pk for p in stored.values()]
    assert stale_product_ids() == sorted(ids)
    assert embed_products(ids).done == len(ids)
    vector = ProductEmbedding.objects.get(pk=ids[0]).vectors()[0]
    assert vector.shape == (128,) and np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-3)
    assert stale_product_ids() == []
    assert embed_products(ids).done == 0  # nothing changed: nothing recomputed
    assert embed_products(ids, force=True).done == len(ids)  # rebuild_index --all: every vector again, in place
    assert ProductEmbedding.objects.count() == len(ids)


def test_a_new_photo_makes_the_vector_stale():
    product, _ = upsert_product(record("A1"))
    embed_products([product.pk])
    upsert_product(record("A1", images=(blob("green", "front"),)))
    assert stale_product_ids() == [product.pk]


def test_the_index_follows_scrapes_updates_stock_and_deletes(products):
    stored = ingest(products)
    embed_products([p.pk for p in stored.values()])
    index = CatalogIndex()
    shirt = next(p for p in stored.values() if (p.gender, p.category) == ("men", "topwear"))
    vector = shirt.embedding.vectors()[0]

    # found in its own partition, first (it is the query)
    assert index.search(vector, 3, ["men"], "topwear")[0].id == shirt.pk
    assert shirt.pk not in {h.id for h in index.search(vector, 50, ["women"], "topwear")}

    # moved to the women's partition by a re-scrape
    Product.objects.filter(pk=shirt.pk).update(gender="women")
    assert index.search(vector, 1, ["women"], "topwear")[0].id == shirt.pk
    assert shirt.pk not in {h.id for h in index.search(vector, 50, ["men"], "topwear")}

    # out of stock, then deleted: gone from every search
    Product.objects.filter(pk=shirt.pk).update(in_stock=False)
    assert shirt.pk not in {h.id for h in index.search(vector, 50, ["men", "women"], "topwear")}
    Product.objects.filter(pk=shirt.pk).update(in_stock=True)
    assert index.search(vector, 1, ["women"], "topwear")[0].id == shirt.pk
    Product.objects.filter(pk=shirt.pk).delete()
    assert shirt.pk not in {h.id for h in index.search(vector, 50, ["men", "women"], "topwear")}


def test_unisex_products_are_found_for_both_genders():
    product, _ = upsert_product(record("U1", gender="unisex"))
    embed_products([product.pk])
    vector = ProductEmbedding.objects.get(pk=product.pk).vectors()[0]
    index = CatalogIndex()
    for gender in ("men", "women"):
        assert index.search(vector, 1, [gender], "topwear")[0].id == product.pk


def test_a_product_is_searched_by_each_photo_but_its_model_shots():
    images = (blob("red", "model"), blob("blue", "front"), blob("green", "back"))
    product, _ = upsert_product(record("M1", images=images))
    assert embed_products([product.pk]).done == 1
    stored = ProductEmbedding.objects.get(pk=product.pk)
    assert stored.photos == 2  # front and back; the model shot shows a whole outfit
    back = stored.vectors()[1]
    hit = CatalogIndex().search(back, 1, ["men"], "topwear")[0]
    assert hit.id == product.pk and hit.score == pytest.approx(1.0, abs=1e-3)  # found by its back photo

    # a new back photo alone makes the vectors stale
    upsert_product(record("M1", images=(blob("red", "model"), blob("blue", "front"), blob("yellow", "back"))))
    assert stale_product_ids() == [product.pk]


def test_a_product_with_only_model_shots_is_searched_by_its_thumbnail():
    product, _ = upsert_product(record("M2", images=(blob("red", "model"),)))
    assert embed_products([product.pk]).done == 1
    assert ProductEmbedding.objects.get(pk=product.pk).photos == 1


def test_each_indexed_photo_has_its_colours_read_and_a_catalog_without_them_is_read_again():
    product, _ = upsert_product(record("C1", images=(blob("red", "front"), blob("blue", "back"))))
    assert embed_products([product.pk]).done == 1
    colours = ProductEmbedding.objects.get(pk=product.pk).photo_colours()
    assert colours.shape == (2, COLOUR_SIZE)
    by_class = colours[:, :HISTOGRAM].reshape(2, len(LIGHTNESS_BINS), len(CLASSES)).sum(axis=1)
    assert [CLASSES[i] for i in by_class.argmax(axis=1)] == ["hue 0", "hue 300"]  # sRGB red, sRGB blue
    # a catalog embedded before colours were read is stale: the start-up sweep reads them
    ProductEmbedding.objects.filter(pk=product.pk).update(colours=b"")
    assert ProductEmbedding.objects.get(pk=product.pk).photo_colours() is None
    assert stale_product_ids() == [product.pk]
    assert embed_products([product.pk]).done == 1
    assert np.allclose(ProductEmbedding.objects.get(pk=product.pk).photo_colours(), colours)


def test_each_indexed_photo_has_its_imagenet_classes_read_and_a_catalog_without_them_is_read_again():
    product, _ = upsert_product(record("K1", images=(blob("red", "front"), blob("blue", "back"))))
    assert embed_products([product.pk]).done == 1
    classes = ProductEmbedding.objects.get(pk=product.pk).photo_classes()
    assert classes.shape == (2, 1000)
    assert np.allclose(classes.sum(axis=1), 1, atol=0.01)  # each photo a distribution over the classes
    assert not np.allclose(classes[0], classes[1], atol=1e-3)  # a red photo and a blue one read apart
    ProductEmbedding.objects.filter(pk=product.pk).update(classes=b"")
    assert ProductEmbedding.objects.get(pk=product.pk).photo_classes() is None
    assert stale_product_ids() == [product.pk]
    assert embed_products([product.pk]).done == 1
    assert np.allclose(ProductEmbedding.objects.get(pk=product.pk).photo_classes(), classes, atol=1e-3)


def test_a_product_deleted_while_it_is_embedded_is_skipped_and_the_batch_goes_on(monkeypatch):
    # given: two products; the first is deleted by an admin while its photos are read
    doomed, _ = upsert_product(record("X1"))
    kept, _ = upsert_product(record("X2"))
    read = product_vectors._read_photo

    def read_while_deleted(image):
        out = read(image)
        Product.objects.filter(pk=doomed.pk).delete()
        return out

    monkeypatch.setattr(product_vectors, "_read_photo", read_while_deleted)
    # when
    report = embed_products([doomed.pk, kept.pk])
    # then: no IntegrityError, no orphan row, the other product embedded
    assert (report.done, report.gone, report.failed) == (1, [doomed.pk], {})
    assert list(ProductEmbedding.objects.values_list("product_id", flat=True)) == [kept.pk]


def test_an_unreadable_photo_fails_its_product_by_name_and_it_stays_stale():
    broken, _ = upsert_product(record("U1", images=(blob("olive", "front"),)))
    fine, _ = upsert_product(record("U2", images=(blob("teal", "front"),)))
    image = broken.images.first()
    image.image.storage.delete(image.image.name)
    report = embed_products([broken.pk, fine.pk])
    assert report.done == 1 and list(report.failed) == [broken.pk]
    assert image.image.name in report.failed[broken.pk]
    assert stale_product_ids() == [broken.pk]  # tried again by the next sweep


def test_rebuild_index_names_the_products_it_could_not_embed_and_fails():
    broken, _ = upsert_product(record("U3", images=(blob("olive", "front"),)))
    upsert_product(record("U4", images=(blob("teal", "front"),)))
    image = broken.images.first()
    image.image.storage.delete(image.image.name)
    with pytest.raises(CommandError, match=rf"1 products could not be embedded:\n  product {broken.pk}: "):
        call_command("rebuild_index", stdout=io.StringIO(), stderr=io.StringIO())
    assert ProductEmbedding.objects.count() == 1
