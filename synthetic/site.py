"""The demo shop as a WSGI app: listing pages with pagination, product pages and product photos."""

from __future__ import annotations

import io
import math
import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from urllib.parse import parse_qs

from PIL import Image

from .designs import DemoProduct, generate_catalog
from .figure import Outfit
from .stylist import styled_around
from .views import view_jpeg
from .vocabulary import ARTICLE_LABELS, CATEGORY_LABELS, GENDER_LABELS, SHOPPER_GENDERS

MODEL_SHOTS = ("stylist", "house")  # who dresses the model shots: the stylist, or plain house garments

PAGE_SIZE = 24
# One listing per partition, as shops slug them: "mens-topwear" is "Mens Topwear".
SEARCH_TERMS = {
    f"{gender}s-{category}": f"{GENDER_LABELS[gender]}s {label}"
    for gender in SHOPPER_GENDERS
    for category, label in CATEGORY_LABELS.items()
}

STYLE = """
body{font-family:system-ui,sans-serif;margin:0;color:#222}header{background:#222;padding:12px 24px}
header a{color:#fff;margin-right:16px;text-decoration:none}main{padding:24px}
ul.grid{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,180px);gap:16px}
li.card img{width:180px;height:225px;background:#eee}.card-brand{display:block;font-weight:700}
.card-name,.card-price{display:block;font-size:14px}.pdp-gallery img{width:240px;margin:4px}
.pdp-stock.out{color:#b00;font-weight:700}
"""

LAZY_SCRIPT = "document.querySelectorAll('img[data-src]').forEach(function(i){i.src=i.dataset.src;});"


@dataclass
class Faults:
    """Deliberate breakage for robustness tests: product ids whose page or photo misbehaves."""

    broken_pages: set[str] = field(default_factory=set)  # page lacks its product details
    not_image: set[str] = field(default_factory=set)  # front photo URL serves HTML
    oversized: set[str] = field(default_factory=set)  # front photo is 6 MB
    bomb: set[str] = field(default_factory=set)  # front photo decodes to 144 megapixels
    offsite: set[str] = field(default_factory=set)  # front photo sits on a host no profile allows
    nameless_cards: set[str] = field(default_factory=set)  # listing card lacks the product name


def price_text(price: int) -> str:
    return f"Rs. {price:,}"


def _page(title: str, body: str) -> bytes:
    nav = "".join(f'<a href="/{slug}">{escape(term)}</a>' for slug, term in SEARCH_TERMS.items())
    html = (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(title)} | Demo Store</title>"
        f"<style>{STYLE}</style></head><body><header><a href='/'>Demo Store</a>{nav}</header>"
        f"<main>{body}</main><script>{LAZY_SCRIPT}</script></body></html>"
    )
    return html.encode()


class DemoStore:
    """Serves `products` the way a small fashion shop would."""

    def __init__(
        self,
        products: list[DemoProduct],
        faults: Faults | None = None,
        page_size: int = PAGE_SIZE,
        model_shots: str = "stylist",
    ):
        if model_shots not in MODEL_SHOTS:
            raise ValueError(f"model_shots must be one of {', '.join(MODEL_SHOTS)}, not {model_shots!r}")
        self.products = {p.product_id: p for p in products}
        self.model_shots = model_shots
        self._pool: dict[tuple[str, str], list[DemoProduct]] = {}
        for p in products:
            self._pool.setdefault((p.gender, p.category), []).append(p)
        self.faults = faults or Faults()
        self.page_size = page_size
        self.by_slug: dict[str, list[DemoProduct]] = {slug: [] for slug in SEARCH_TERMS}
        for p in products:
            self.by_slug[p.slug].append(p)

    @classmethod
    def generated(
        cls, n_products: int = 600, seed: int = 7, faults: Faults | None = None, model_shots: str = "stylist"
    ) -> DemoStore:
        return cls(generate_catalog(n_products, seed), faults, model_shots=model_shots)

    def shot_outfit(self, p: DemoProduct) -> Outfit | None:
        """What the model wears in `p`'s model shot: the stylist's outfit around it (the same every
        time), or None for house garments."""
        if self.model_shots == "house":
            return None
        return styled_around(p, self._pool, random.Random(f"model-shot-{p.product_id}"))[0]

    def index(self) -> bytes:
        items = "".join(
            f'<li><a href="/{slug}">{escape(term)}</a> ({len(self.by_slug[slug])})</li>'
            for slug, term in SEARCH_TERMS.items()
        )
        return _page("Home", f"<h1>Demo Store</h1><ul class=terms>{items}</ul>")

    def listing(self, slug: str, page: int) -> bytes | None:
        products = self.by_slug.get(slug)
        if products is None:
            return None
        pages = max(1, math.ceil(len(products) / self.page_size))
        if not 1 <= page <= pages:
            return None
        chunk = products[(page - 1) * self.page_size : page * self.page_size]
        cards = "".join(self._card(p) for p in chunk)
        pager = f"<span class=pager-info>Page {page} of {pages}</span>"
        if page < pages:
            pager += f'<a class="pager-next" rel="next" href="/{slug}?page={page + 1}">Next</a>'
        term = SEARCH_TERMS[slug]
        body = (
            f"<h1>{escape(term)}</h1><p class=count>{len(products)} products</p>"
            f"<ul class=grid>{cards}</ul><nav class=pager>{pager}</nav>"
        )
        return _page(term, body)

    def _image_url(self, p: DemoProduct, view: str) -> str:
        if view == "front" and p.product_id in self.faults.offsite:
            return f"http://images.offsite-cdn.invalid/{p.product_id}/front.jpg"
        return f"/img/{p.product_id}/{view}.jpg"

    def _card(self, p: DemoProduct) -> str:
        alt = escape(p.title)
        name = "" if p.product_id in self.faults.nameless_cards else f'<span class="card-name">{alt}</span>'
        return (
            f'<li class="card" data-sku="{p.product_id}"><a class="card-link" href="/p/{p.product_id}">'
            f'<img class="card-img" data-src="{self._image_url(p, "front")}" alt="{alt}">'
            f'<span class="card-brand">{escape(p.brand)}</span>{name}'
            f'<span class="card-price">{price_text(p.price)}</span></a></li>'
        )

    def product_page(self, product_id: str) -> bytes | None:
        p = self.products.get(product_id)
        if p is None:
            return None
        if product_id in self.faults.broken_pages:
            return _page("Error", "<main class=pdp><p>Something went wrong while loading this product.</p>")
        gallery = "".join(
            f'<img class="pdp-img" src="{self._image_url(p, v)}" data-view="{v}" alt="{escape(p.title)} {v}">'
            for v in p.views
        )
        stock = '<p class="pdp-stock out">Out of stock</p>' if not p.in_stock else '<p class="pdp-stock">In stock</p>'
        body = (
            f'<div class="pdp" data-sku="{p.product_id}"><h1 class="pdp-name">{escape(p.title)}</h1>'
            f'<p class="pdp-brand">{escape(p.brand)}</p><p class="pdp-price">{price_text(p.price)}</p>{stock}'
            f'<dl><dt>Colour</dt><dd class="pdp-colour">{escape(p.colour_name)}</dd>'
            f'<dt>Type</dt><dd class="pdp-type">{ARTICLE_LABELS[p.article_type]}</dd></dl>'
            f'<div class="pdp-gallery">{gallery}</div></div>'
        )
        return _page(p.title, body)

    def image(self, product_id: str, view: str) -> tuple[str, bytes] | None:
        p = self.products.get(product_id)
        if p is None or view not in p.views:
            return None
        if view == "front":
            if product_id in self.faults.not_image:
                return "text/html", b"<html><body>Not an image</body></html>"
            if product_id in self.faults.oversized:
                return "image/jpeg", _cached_jpeg(p, view) + b"\0" * (6 * 1024 * 1024)
            if product_id in self.faults.bomb:
                return "image/png", _bomb_png()
        return "image/jpeg", _cached_jpeg(p, view, self.shot_outfit(p) if view == "model" else None)

    def __call__(self, environ: dict, start_response):
        path = environ.get("PATH_INFO", "/")
        query = parse_qs(environ.get("QUERY_STRING", ""))
        content_type, body = "text/html; charset=utf-8", None
        if path == "/":
            body = self.index()
        elif m := re.fullmatch(r"/p/([\w-]+)", path):
            body = self.product_page(m.group(1))
        elif m := re.fullmatch(r"/img/([\w-]+)/(\w+)\.jpg", path):
            found = self.image(m.group(1), m.group(2))
            if found:
                content_type, body = found
        elif m := re.fullmatch(r"/([\w-]+)", path):
            try:
                page = int(query.get("page", ["1"])[0])
            except ValueError:
                page = 0
            body = self.listing(m.group(1), page)
        if body is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
        return [body]


@lru_cache(maxsize=4096)
def _cached_jpeg(product: DemoProduct, view: str, outfit: Outfit | None = None) -> bytes:
    return view_jpeg(product, view, outfit=outfit)


@lru_cache(maxsize=1)
def _bomb_png() -> bytes:
    buf = io.BytesIO()
    Image.new("1", (12000, 12000)).save(buf, "PNG", optimize=True)
    return buf.getvalue()
