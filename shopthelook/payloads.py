"""A Look as JSON: its status and, once done, its items with boxes and filtered recommendations."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.http import QueryDict
from django.urls import reverse

from catalog.models import Product
from detection.taxonomy import ARTICLE_LABELS, ARTICLE_TYPES, CATEGORIES, CATEGORY_NAMES

from .models import Complement, Look, LookItem, Recommendation

SHOWN_PER_ITEM = 8


@dataclass(frozen=True)
class Filters:
    """What the shopper narrowed the recommendations to; empty means no limit."""

    min_price: Decimal | None = None
    max_price: Decimal | None = None
    brands: frozenset[str] = frozenset()
    colours: frozenset[str] = frozenset()
    same_type: bool = False  # only products of the garment's own article type
    limit: int = SHOWN_PER_ITEM
    # Categories the photo shows that the shopper still wants completed ("complete the look" shows
    # the missing ones anyway): a full outfit gets no suggestions unless asked.
    complete: frozenset[str] = frozenset()

    @classmethod
    def from_query(cls, query: QueryDict) -> Filters:
        def price(name: str) -> Decimal | None:
            try:
                return Decimal(query[name]) if query.get(name) else None
            except InvalidOperation as exc:
                raise ValueError(f"{name} must be a number") from exc

        try:
            limit = max(1, min(int(query.get("limit", SHOWN_PER_ITEM)), 40))
        except ValueError as exc:
            raise ValueError("limit must be a whole number") from exc
        complete = frozenset(c for c in query.getlist("complete") if c)
        if "all" in complete:
            complete = frozenset(CATEGORY_NAMES)
        if unknown := complete - set(CATEGORY_NAMES):
            raise ValueError(
                f"complete must be among {', '.join(CATEGORY_NAMES)} or all, not {', '.join(sorted(unknown))}"
            )
        return cls(
            complete=complete,
            min_price=price("min_price"),
            max_price=price("max_price"),
            brands=frozenset(b for b in query.getlist("brand") if b),
            colours=frozenset(c.lower() for c in query.getlist("colour") if c),
            same_type=query.get("same_type") in ("1", "true", "on"),
            limit=limit,
        )

    def admits(self, rec: Recommendation | Complement) -> bool:
        p = rec.product
        if not p.in_stock:
            return False  # sold out since the look ran: never shown
        if self.min_price is not None and (p.price is None or p.price < self.min_price):
            return False
        if self.max_price is not None and (p.price is None or p.price > self.max_price):
            return False
        if self.brands and p.brand not in self.brands:
            return False
        return not self.colours or p.colour.lower() in self.colours


def _product(p: Product) -> dict:
    """What a card shows of a catalog product."""
    thumb = p.thumbnail
    return {
        "product_id": p.pk,
        "title": p.title,
        "brand": p.brand,
        "price": str(p.price) if p.price is not None else None,
        "currency": p.currency,
        "colour": p.colour,
        "article_type": p.article_type,
        "url": p.url,
        "image": thumb.image.url if thumb else None,
    }


def _shares(product: Product, item: LookItem) -> list[str]:
    """What a result shares with the worn garment, as the page says it: why it is there."""
    shares = []
    if item.colour_name and product.colour.lower() == item.colour_name.lower():
        shares.append("same colour")
    if item.article_type and product.article_type == item.article_type:
        shares.append("same type")
    return shares


def _recommendation(rec: Recommendation, item: LookItem | None = None) -> dict:
    return {
        **_product(rec.product),
        "shares": _shares(rec.product, item) if item is not None else [],
        "similarity": round(rec.similarity, 4),
        "match": "exact match" if rec.exact else "similar style",
        "rank": rec.rank,
    }


def _suggestion(c: Complement) -> dict:
    return {**_product(c.product), "score": round(c.score, 4), "rank": c.rank}


def complete_the_look(look: Look, items: list[LookItem], filters: Filters) -> list[dict]:
    """A row per category the photo lacks, and per category the shopper asked for: what goes with the rest."""
    shown = {i.category for i in items}
    stored = list(look.complements.select_related("product").prefetch_related("product__images"))
    rows = []
    for category in CATEGORIES:
        if category.name in shown and category.name not in filters.complete:
            continue
        picks = [c for c in stored if c.category == category.name and filters.admits(c)]
        rows.append(
            {
                "category": category.name,
                "name": category.item_name,
                "in_photo": category.name in shown,  # asked for: the photo shows one already
                "products": [_suggestion(c) for c in picks[: filters.limit]],
            }
        )
    return rows


def _item(item: LookItem, filters: Filters) -> dict:
    recs = [r for r in item.recommendations.all() if filters.admits(r)]
    if filters.same_type and item.article_type:
        recs = [r for r in recs if r.product.article_type == item.article_type]
    return {
        "id": item.pk,
        "category": item.category,
        "article_type": item.article_type or None,
        "name": ARTICLE_LABELS.get(item.article_type),  # "Sneakers"; null when the type was not read
        "article_score": item.article_score,
        "type_chosen": item.type_chosen,  # the shopper corrected it: the results follow their word
        "colour": item.colour_name or None,
        "colour_chosen": item.colour_chosen,
        "correct_url": reverse("api-look-item", args=[item.look_id, item.pk]),
        "source": item.source,
        "score": round(item.score, 3),
        "box": [round(v, 1) for v in item.box],
        "matching": not item.vector,  # a drawn box still being matched
        "recommendations": [_recommendation(r, item) for r in recs[: filters.limit]],
    }


def _facets(items: list[LookItem]) -> dict:
    products = [r.product for item in items for r in item.recommendations.all() if r.product.in_stock]
    prices = [p.price for p in products if p.price is not None]
    return {
        "brands": sorted({p.brand for p in products if p.brand}),
        "colours": sorted({p.colour.lower() for p in products if p.colour}),
        "price_min": str(min(prices)) if prices else None,
        "price_max": str(max(prices)) if prices else None,
    }


def _person(index: int, record: dict) -> dict:
    gender = record["gender"]
    return {
        "index": index,
        "box": record["box"],
        "shot": record["shot"],
        "facing": record["facing"],
        "gender": {"seen": gender["label"] or None, "p_women": gender["p_women"], "from": gender["source"]},
        "garments": len(record["garments"]),
    }


def look_payload(look: Look, filters: Filters | None = None) -> dict:
    filters = filters or Filters()
    payload = {
        "id": str(look.pk),
        "status": look.status,
        "status_url": reverse("api-look", args=[look.pk]),
        "page_url": reverse("look", args=[look.pk]),
        "photo": {"url": look.photo.url, "width": look.width, "height": look.height},
        "created": look.created.isoformat(),
        "gender": {
            "choice": look.gender_choice,
            "seen": look.gender_seen or None,
            "p_women": round(look.p_women, 3) if look.p_women is not None else None,
            "searched": [g for g in look.searched_genders.split(",") if g],
        },
    }
    if look.error:  # a failed look's, or why the shopper's latest change could not be made
        payload["error"] = look.error
    if look.finished:
        payload["people"] = [_person(n, record) for n, record in enumerate(look.people)]
        payload["person"] = look.person if look.people else None
        chosen = look.people[look.person] if 0 <= look.person < len(look.people) else None
        payload["seen"] = {
            "shot": chosen["shot"] if chosen else None,  # "full shot", "upper body", ...
            "facing": chosen["facing"] if chosen else None,
            "gender_from": look.gender_source or None,  # "face", "figure" or "unsure"
        }
    if look.status in (Look.Status.DONE, Look.Status.MATCHING) and look.finished:
        items = list(look.items.prefetch_related("recommendations__product__images"))
        payload["items"] = [_item(i, filters) for i in items]
        payload["facets"] = _facets(items)
        # What a shopper may correct a garment to: each category's types, and the colours the catalog lists.
        payload["choices"] = {
            "types": {c.name: [[a.name, a.label] for a in ARTICLE_TYPES if a.category == c.name] for c in CATEGORIES},
            "colours": sorted(set(Product.objects.exclude(colour="").values_list("colour", flat=True))),
        }
        payload["complete_the_look"] = complete_the_look(look, items, filters) if items else []
        payload["fallback"] = look.fallback or None
        payload["nothing_found"] = not items
        payload["timings_ms"] = look.timings
    return payload
