"""The demo store's generator: deterministic, varied, with near-duplicates and ground-truth figures."""

import io
from collections import Counter
from wsgiref.util import setup_testing_defaults

import numpy as np
import pytest
from PIL import Image

from synthetic.designs import ARTICLE_TYPES, PATTERNS_FOR, generate_catalog
from synthetic.figure import Appearance, Outfit, render_figure
from synthetic.site import DemoStore
from synthetic.views import render_view, view_jpeg


def test_same_seed_gives_the_same_products_and_pixels():
    a, b = generate_catalog(60, seed=3), generate_catalog(60, seed=3)
    assert a == b
    assert view_jpeg(a[5], "front") == view_jpeg(b[5], "front")
    assert generate_catalog(60, seed=4) != a


def test_catalog_covers_every_partition_article_type_and_pattern(demo_products):
    partitions = Counter((p.gender, p.category) for p in demo_products)
    assert set(partitions) == set(ARTICLE_TYPES)
    assert set(partitions.values()) == {100}  # 600 spread evenly
    articles = {p.article_type for p in demo_products}
    assert articles == {a for types in ARTICLE_TYPES.values() for a in types}
    patterns = {p.fabric.pattern for p in demo_products}
    assert patterns == {pat for pats in PATTERNS_FOR.values() for pat in pats}
    assert len({p.product_id for p in demo_products}) == len(demo_products)


def test_families_hold_near_duplicates(demo_products):
    families: dict[str, list] = {}
    for p in demo_products:
        families.setdefault(p.family, []).append(p)
    multi = [f for f in families.values() if len(f) > 1]
    assert len(multi) >= 50
    for members in multi:
        base = members[0]
        for other in members[1:]:
            assert other.cut == base.cut and other.article_type == base.article_type
            assert other.fabric != base.fabric  # another colour or another pattern


def test_thousands_on_request():
    assert len(generate_catalog(3000, seed=1)) == 3000


def test_every_view_renders_at_catalog_size_and_views_differ(demo_products):
    product = next(p for p in demo_products if len(p.views) == 5)
    images = {v: np.asarray(render_view(product, v), np.int16) for v in product.views}
    for image in images.values():
        assert image.shape == (400, 320, 3)
    views = list(images)
    for i, a in enumerate(views):
        for b in views[i + 1 :]:
            assert np.abs(images[a] - images[b]).mean() > 2, (a, b)


def test_figure_boxes_locate_each_garment(demo_products):
    top = next(p for p in demo_products if p.article_type == "shirt")
    bottom = next(p for p in demo_products if p.article_type == "jeans" and p.gender == top.gender)
    shoes = next(p for p in demo_products if p.article_type == "sneakers" and p.gender == top.gender)

    fig = render_figure(Outfit(top, bottom, shoes), Appearance.typical(top.gender, 2))

    boxes = {b.label: b for b in fig.boxes}
    assert set(boxes) == {"topwear", "bottomwear", "footwear", "person"}
    assert boxes["topwear"].product_id == top.product_id
    assert boxes["bottomwear"].product_id == bottom.product_id
    assert boxes["footwear"].product_id == shoes.product_id
    assert boxes["topwear"].y1 < boxes["bottomwear"].y1 < boxes["footwear"].y1
    person = boxes["person"]
    for b in fig.boxes:
        assert 0 <= b.x1 < b.x2 <= 320 and 0 <= b.y1 < b.y2 <= 400
        assert person.x1 <= b.x1 and person.y1 <= b.y1 and b.x2 <= person.x2 and b.y2 <= person.y2
    # The top's box really holds the top's colour.
    pixels = np.asarray(fig.image, np.float32)
    t = boxes["topwear"]
    centre = pixels[(t.y1 + t.y2) // 2 - 5 : (t.y1 + t.y2) // 2 + 5, (t.x1 + t.x2) // 2 + 8 : (t.x1 + t.x2) // 2 + 18]
    if top.fabric.pattern == "solid":
        assert np.abs(centre.mean(axis=(0, 1)) - np.array(top.fabric.base)).max() < 60


def test_a_dress_leaves_no_bottomwear_box(demo_products):
    dress = next(p for p in demo_products if p.article_type == "dress")
    fig = render_figure(Outfit(top=dress), Appearance.typical("women"))
    assert "bottomwear" not in {b.label for b in fig.boxes}


def call(store: DemoStore, path: str, query: str = "") -> tuple[str, bytes]:
    environ: dict = {"PATH_INFO": path, "QUERY_STRING": query}
    setup_testing_defaults(environ)
    status: list[str] = []
    body = b"".join(store(environ, lambda s, h: status.append(s)))
    return status[0], body


def test_listing_paginates_with_a_next_link_until_the_last_page(demo_products):
    store = DemoStore(demo_products)
    n = len(store.by_slug["womens-footwear"])
    pages = -(-n // 24)
    status, first = call(store, "/womens-footwear")
    assert status.startswith("200") and b'class="pager-next"' in first and first.count(b'class="card"') == 24
    status, last = call(store, "/womens-footwear", f"page={pages}")
    assert b"pager-next" not in last and last.count(b'class="card"') == n - 24 * (pages - 1)
    assert call(store, "/womens-footwear", f"page={pages + 1}")[0].startswith("404")


@pytest.mark.parametrize("path", ["/p/NOPE", "/img/DS00000-0/nope.jpg", "/hats"])
def test_unknown_paths_are_404(demo_products, path):
    assert call(DemoStore(demo_products), path)[0].startswith("404")


def test_product_photos_are_served_as_jpeg(demo_products):
    status, body = call(DemoStore(demo_products), "/img/DS00000-0/front.jpg")
    assert status.startswith("200") and Image.open(io.BytesIO(body)).format == "JPEG"
