"""The pure parsers, run on saved pages of the demo store and of a Myntra-style listing."""

from decimal import Decimal
from pathlib import Path

import pytest

from scraper.parsing import ParseError, article_type_from_title, parse_listing, parse_price, parse_product_page
from scraper.profiles import load_profile

PAGES = Path(__file__).parent / "pages"


def page(name: str) -> str:
    return (PAGES / name).read_text()


def test_demo_listing_yields_cards_skips_the_nameless_one_and_finds_next_page():
    profile = load_profile("demo").with_base_url("http://127.0.0.1:8765")
    url = "http://127.0.0.1:8765/mens-topwear"

    listing = parse_listing(page("demo_listing_page1.html"), url, profile.listing, profile.external_id_pattern)

    assert len(listing.cards) == 23
    assert len(listing.skipped) == 1 and "missing name" in listing.skipped[0]
    first = listing.cards[0]
    assert first.external_id == "DS00000-0"
    assert first.url == "http://127.0.0.1:8765/p/DS00000-0"
    assert first.name == "Men Navy Blue Solid Hoodie"
    assert first.brand == "Maple Row"
    assert first.price == Decimal("1099")
    assert first.image_url == "http://127.0.0.1:8765/img/DS00000-0/front.jpg"  # from data-src
    assert listing.next_url == "http://127.0.0.1:8765/mens-topwear?page=2"


def test_last_listing_page_has_no_next_link():
    profile = load_profile("demo")
    listing = parse_listing(
        page("demo_listing_last.html"),
        "http://127.0.0.1:8765/mens-topwear?page=5",
        profile.listing,
        profile.external_id_pattern,
    )
    assert listing.next_url is None
    assert 0 < len(listing.cards) <= 24


def test_demo_product_page_gives_details_and_every_view():
    sel = load_profile("demo").product_page
    product = parse_product_page(page("demo_product.html"), "http://127.0.0.1:8765/p/DS00000-0", sel)

    assert product.title == "Men Navy Blue Solid Hoodie"
    assert product.brand == "Maple Row"
    assert product.price == Decimal("1099")
    assert product.colour == "Navy Blue"
    assert product.article_type == "hoodie"
    assert product.in_stock is True
    assert product.images == (
        ("http://127.0.0.1:8765/img/DS00000-0/front.jpg", "front"),
        ("http://127.0.0.1:8765/img/DS00000-0/side.jpg", "side"),
        ("http://127.0.0.1:8765/img/DS00000-0/model.jpg", "model"),
    )


def test_broken_product_page_is_a_parse_error_naming_the_page():
    sel = load_profile("demo").product_page
    with pytest.raises(ParseError, match=r"DS00006-0: no product title"):
        parse_product_page(page("demo_product_broken.html"), "http://127.0.0.1:8765/p/DS00006-0", sel)


def test_myntra_profile_reads_product_base_cards():
    profile = load_profile("myntra")
    url = "https://www.myntra.com/mens-topwear"

    listing = parse_listing(page("myntra_listing.html"), url, profile.listing, profile.external_id_pattern)

    assert [c.external_id for c in listing.cards] == ["1700944", "2301977"]
    tee, shirt = listing.cards
    assert tee.brand == "Fabrikam" and tee.name == "Men Navy Blue Printed Round Neck T-shirt"
    assert tee.price == Decimal("449")  # the discounted price, not the struck-through MRP
    assert (
        tee.url
        == "https://www.myntra.com/tshirts/fabrikam/fabrikam-men-navy-blue-printed-round-neck-t-shirt/1700944/buy"
    )
    assert shirt.price == Decimal("1299")  # falls back to div.product-price span
    assert shirt.image_url.endswith("/2301977/2022/1.jpg")  # lazy image: data: src ignored
    assert len(listing.skipped) == 1  # the sponsored slot has no link, name or image
    assert listing.next_url == "https://www.myntra.com/mens-topwear?p=2"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rs. 1,299", Decimal("1299")),
        ("₹ 449.50", Decimal("449.50")),
        ("$12", Decimal("12")),
        ("Sold out", None),
        ("", None),
    ],
)
def test_parse_price(text, expected):
    assert parse_price(text) == expected


@pytest.mark.parametrize(
    ("title", "article"),
    [
        ("Men Navy Printed Round Neck T-shirt", "tshirt"),
        ("Men White Slim Fit Casual Shirt", "shirt"),
        ("Women Blue Skinny Fit Jeans", "jeans"),
        ("Women Black Block Heels", "heels"),
        ("Unisex Canvas Thing", ""),
    ],
)
def test_article_type_from_title(title, article):
    assert article_type_from_title(title) == article
