"""Pure parsers: HTML of listing and product pages in, typed records out (no browser, no network)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag

from detection.taxonomy import ARTICLE_TYPES

from .profiles import ListingSelectors, ProductSelectors, Selector

# (word, article type), in taxonomy order: the first word found in a title names its type.
ARTICLE_KEYWORDS = tuple((word, a.name) for a in ARTICLE_TYPES for word in a.keywords)


class ParseError(ValueError):
    """A page lacks what its profile says it holds."""


@dataclass(frozen=True)
class Card:
    """One product card on a listing page."""

    url: str
    external_id: str
    name: str
    brand: str
    price: Decimal | None
    image_url: str


@dataclass(frozen=True)
class ListingPage:
    cards: tuple[Card, ...]
    skipped: tuple[str, ...]  # why each unusable card was left out
    next_url: str | None


@dataclass(frozen=True)
class ProductPage:
    title: str
    brand: str
    price: Decimal | None
    colour: str
    article_type: str
    in_stock: bool
    images: tuple[tuple[str, str], ...]  # (absolute URL, view)


def parse_price(text: str) -> Decimal | None:
    """'Rs. 1,299' -> Decimal('1299'); the first number in the text, or None."""
    match = re.search(r"\d[\d,]*(?:\.\d+)?", text or "")
    if not match:
        return None
    try:
        return Decimal(match.group(0).replace(",", ""))
    except InvalidOperation:
        return None


def article_type_from_title(title: str) -> str:
    lowered = title.lower()
    for word, article in ARTICLE_KEYWORDS:
        if re.search(rf"\b{re.escape(word)}\b", lowered):
            return article
    return ""


def normalise_article_type(text: str) -> str:
    return article_type_from_title(text) or text.strip().lower()


def _first(node: Tag, selectors: Selector) -> Tag | None:
    for css in selectors:
        found = node.select_one(css)
        if found is not None:
            return found
    return None


def _text(node: Tag, selectors: Selector) -> str:
    found = _first(node, selectors)
    return " ".join(found.get_text(" ", strip=True).split()) if found is not None else ""


def _attr(node: Tag | None, attributes: tuple[str, ...]) -> str:
    if node is None:
        return ""
    for name in attributes:
        value = node.get(name)
        if isinstance(value, str) and value.strip() and not value.startswith("data:"):
            return value.strip()
    return ""


def external_id_from_url(url: str, pattern: str) -> str:
    match = re.search(pattern, url)
    return match.group(1) if match else ""


def parse_listing(html: str, page_url: str, sel: ListingSelectors, id_pattern: str) -> ListingPage:
    """Cards with every required field, the reasons others were skipped, and the next page."""
    soup = BeautifulSoup(html, "html.parser")
    cards, skipped = [], []
    for index, node in enumerate(soup.select(sel.card)):
        link = _first(node, sel.link)
        if link is None and node.name == "a":
            link = node
        href = _attr(link, ("href",))
        url = urljoin(page_url, href) if href else ""
        image = _attr(_first(node, sel.image), sel.image_attributes)
        card = Card(
            url=url,
            external_id=external_id_from_url(url, id_pattern) if url else "",
            name=_text(node, sel.name),
            brand=_text(node, sel.brand),
            price=parse_price(_text(node, sel.price)),
            image_url=urljoin(page_url, image) if image else "",
        )
        missing = [f for f in ("url", "external_id", "name", "image_url") if not getattr(card, f)]
        if missing:
            skipped.append(f"card {index + 1} on {page_url}: missing {', '.join(missing)}")
        else:
            cards.append(card)
    next_node = _first(soup, sel.next_page)
    next_href = _attr(next_node, ("href",))
    next_url = urljoin(page_url, next_href) if next_href else None
    return ListingPage(tuple(cards), tuple(skipped), next_url)


def parse_product_page(html: str, page_url: str, sel: ProductSelectors) -> ProductPage:
    """The product's details and photo URLs; raises ParseError if the title or photos are missing."""
    soup = BeautifulSoup(html, "html.parser")
    title = _text(soup, sel.title)
    if not title:
        raise ParseError(f"{page_url}: no product title ({', '.join(sel.title)})")
    images = []
    for css in sel.images:
        for node in soup.select(css):
            src = _attr(node, sel.image_attributes)
            if src:
                view = str(node.get(sel.image_view_attribute, "")) if sel.image_view_attribute else ""
                images.append((urljoin(page_url, src), view or "other"))
        if images:
            break
    if not images:
        raise ParseError(f"{page_url}: no product images ({', '.join(sel.images)})")
    article = _text(soup, sel.article_type)
    return ProductPage(
        title=title,
        brand=_text(soup, sel.brand),
        price=parse_price(_text(soup, sel.price)),
        colour=_text(soup, sel.colour),
        article_type=normalise_article_type(article) if article else article_type_from_title(title),
        in_stock=_first(soup, sel.out_of_stock) is None if sel.out_of_stock else True,
        images=tuple(images),
    )
