"""The product admin shows thumbnails, partition counts, filters and search; staff only."""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.ingest import upsert_product
from tests.catalog.factories import record

pytestmark = pytest.mark.django_db

URL = reverse("admin:catalog_product_changelist")


@pytest.fixture
def catalog():
    upsert_product(record("A", "men", "topwear", price=Decimal("450"), title="Men Red <b>Bold</b> Shirt"))
    upsert_product(record("B", "women", "footwear", price=Decimal("2500"), brand="Ravel", title="Women Black Heels"))
    upsert_product(record("C", "women", "footwear", price=Decimal("999"), in_stock=False, title="Women Tan Sandals"))


def test_changelist_shows_thumbnails_and_partition_counts(admin_client, catalog):
    page = admin_client.get(URL).content.decode()
    assert page.count('loading="lazy"') == 3  # one thumbnail per product
    assert 'data-partition="women-footwear">2<' in page
    assert 'data-partition="men-topwear">1<' in page
    assert 'data-partition="men-bottomwear">0<' in page


def test_scraped_text_is_escaped(admin_client, catalog):
    page = admin_client.get(URL).content.decode()
    assert "<b>Bold</b>" not in page and "&lt;b&gt;Bold&lt;/b&gt;" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"gender": "women", "category": "footwear"}, {"Women Black Heels", "Women Tan Sandals"}),
        ({"price_band": "lt500"}, {"Men Red <b>Bold</b> Shirt"}),
        ({"price_band": "2000-5000"}, {"Women Black Heels"}),
        ({"in_stock__exact": "0"}, {"Women Tan Sandals"}),
        ({"brand": "Ravel"}, {"Women Black Heels"}),
        ({"q": "sandals"}, {"Women Tan Sandals"}),
    ],
)
def test_filters_and_search(admin_client, catalog, query, expected):
    response = admin_client.get(URL, query)
    titles = {p.title for p in response.context["cl"].result_list}
    assert titles == expected


def test_non_staff_are_sent_to_login(client, django_user_model, catalog):
    user = django_user_model.objects.create_user("shopper", password="pw-123456")
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]
