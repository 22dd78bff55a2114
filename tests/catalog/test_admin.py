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


def test_the_photo_views_page_shows_what_the_classifier_read_and_its_plots(admin_client, catalog, settings, tmp_path):
    from catalog.models import ProductImage
    from catalog.photo_views import classify_views

    classify_views(ProductImage.objects.values_list("product_id", flat=True))
    settings.REPORTS_DIR = tmp_path
    (tmp_path / "views").mkdir()
    (tmp_path / "views" / "footwear_k.png").write_bytes(b"\x89PNG fake")
    url = reverse("admin:catalog_product_photo_views")
    page = admin_client.get(url).content.decode()
    assert page.count('class="module photo-views"') == 3
    assert "Footwear: 4 of 4 photos read" in page and "Topwear: 2 of 2 photos read" in page
    assert reverse("admin:catalog_product_photo_views_plot", args=["footwear", "k"]) in page
    assert "No cluster plots yet" in page  # topwear and bottomwear have none
    assert url in admin_client.get(URL).content.decode()  # linked from the product list
    plot = admin_client.get(reverse("admin:catalog_product_photo_views_plot", args=["footwear", "k"]))
    assert plot.status_code == 200 and b"".join(plot.streaming_content) == b"\x89PNG fake"
    for category, name in (("footwear", "clusters"), ("shoes", "k")):
        assert admin_client.get(f"{url}{category}/{name}.png").status_code == 404
    assert not admin_client.get(f"{url}footwear/..%2F..%2Fsecret.png", follow=True).streaming  # no file leaves


def test_the_photo_views_page_is_for_staff_only(client, catalog):
    response = client.get(reverse("admin:catalog_product_photo_views"))
    assert response.status_code == 302 and "/login/" in response["Location"]
