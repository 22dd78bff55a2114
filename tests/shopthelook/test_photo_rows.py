"""Complete the look keeps catalog photos' feature rows between looks, and reads a re-embedded product again."""

import numpy as np
import pytest

from catalog.ingest import upsert_product
from catalog.models import ProductEmbedding
from catalog.product_vectors import embed_products
from embeddings.compatibility import compatibility
from shopthelook.completion import PhotoRows
from tests.catalog.factories import blob, record

pytestmark = pytest.mark.django_db


def test_rows_are_the_models_features_kept_until_the_product_is_embedded_again(django_assert_num_queries):
    # given: two embedded products
    model = compatibility()
    a, _ = upsert_product(record("R1", images=(blob("red", "front"), blob("blue", "back"))))
    b, _ = upsert_product(record("R2", images=(blob("green", "front"),)))
    assert embed_products([a.pk, b.pk]).done == 2
    rows = PhotoRows()
    # when
    first = rows.get(model, [a.pk, b.pk])
    # then: each product's photos as the model reads them, classes included
    stored = ProductEmbedding.objects.get(pk=a.pk)
    expected = model.features(stored.vectors(), stored.photo_colours(), stored.photo_classes())
    assert first[a.pk].shape == (2, expected.shape[1]) and np.allclose(first[a.pk], expected)
    read = expected.shape[1] - model.class_size - len(model.types)  # the vector and the colours
    assert model.class_size and not np.allclose(first[a.pk][:, read:], 0)
    # a second look asks only when each row was written: no feature is read again
    with django_assert_num_queries(1):
        again = rows.get(model, [a.pk, b.pk])
    assert np.array_equal(again[b.pk], first[b.pk])
    # a product embedded again, here without its classes, is left out until they are read: scored
    # as zeros, it would be ranked by its vector and colours alone
    stored.classes = b""
    stored.save()
    third = rows.get(model, [a.pk, b.pk])
    assert list(third) == [b.pk] and a.pk not in rows.rows
    # once its classes are read again, it is back
    assert embed_products([a.pk], force=True).done == 1
    assert np.allclose(rows.get(model, [a.pk, b.pk])[a.pk], first[a.pk], atol=1e-5)


def test_the_least_recently_used_products_are_dropped_beyond_the_size():
    model = compatibility()
    ids = [upsert_product(record(f"L{i}", images=(blob("red", "front"),)))[0].pk for i in range(3)]
    embed_products(ids)
    rows = PhotoRows(size=2)
    rows.get(model, ids[:2])
    rows.get(model, [ids[0]])  # the first is used again: the second is now the oldest
    rows.get(model, [ids[2]])
    assert list(rows.rows) == [ids[0], ids[2]]


def test_rows_checked_against_the_same_catalog_stamp_are_not_asked_again(django_assert_num_queries):
    # given: rows read while the vector index's stamp was "s1"
    model = compatibility()
    ids = [upsert_product(record(f"S{i}", images=(blob("red", "front"),)))[0].pk for i in range(2)]
    embed_products(ids)
    rows = PhotoRows()
    first = rows.get(model, ids, catalog=("s1",))
    # when the catalog is as it was: no query at all
    with django_assert_num_queries(0):
        again = rows.get(model, ids, catalog=("s1",))
    assert all(np.array_equal(again[i], first[i]) for i in ids)
    # a product not read yet is asked for, alone
    other = upsert_product(record("S9", images=(blob("blue", "front"),)))[0].pk
    embed_products([other])
    with django_assert_num_queries(2):  # when each was written, then the new one's features
        assert set(rows.get(model, [*ids, other], catalog=("s1",))) == {*ids, other}
    # then: once the catalog moved, each row is checked again (one query), even those checked before
    stored = ProductEmbedding.objects.get(pk=ids[0])
    stored.classes = b""
    stored.save()
    with django_assert_num_queries(2):
        moved = rows.get(model, ids, catalog=("s2",))
    assert list(moved) == [ids[1]]
