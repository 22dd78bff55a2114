"""The demo store's stylist: outfits composed by the rules stylists dress model shots by, a fifth at random.

A stylist picks the top, then the bottom and the shoes that go with it. Three rules, of the kind
real stylists follow:

1. **Formality.** Every article type sits at one or more levels: 0 casual, 1 smart casual,
   2 smart. An outfit needs a level all its garments share: a shirt and trousers go with boots or
   heels, a t-shirt and jeans with sneakers, never a t-shirt with heels.
2. **Season.** An outfit is for summer or winter: hoodies, jackets and boots are winter's,
   shorts and sandals summer's, the rest both.
3. **Colour.** Neutrals (black, white, greys, navy, the beiges and browns, every denim) with at
   most one accent colour, and at most one patterned garment (denim is no pattern): no clashes.

`RANDOM_SHARE` of the outfits ignore the rules, so that what goes together is a signal a model
can learn, not a law it can read off. The compatibility model must learn this from pixels alone:
nothing downstream reads these rules or the products' attributes.
"""

from __future__ import annotations

import random

from .designs import DemoProduct
from .figure import Outfit

RANDOM_SHARE = 0.2
FORMALITY: dict[str, frozenset[int]] = {
    "tshirt": frozenset({0}),
    "hoodie": frozenset({0}),
    "jacket": frozenset({1}),
    "shirt": frozenset({1, 2}),
    "dress": frozenset({1, 2}),
    "shorts": frozenset({0}),
    "jeans": frozenset({0, 1}),
    "skirt": frozenset({1, 2}),
    "trousers": frozenset({1, 2}),
    "sneakers": frozenset({0, 1}),
    "sandals": frozenset({0}),
    "boots": frozenset({1, 2}),
    "heels": frozenset({2}),
}
_BOTH_SEASONS = frozenset({"summer", "winter"})
SEASONS: dict[str, frozenset[str]] = {
    "hoodie": frozenset({"winter"}),
    "jacket": frozenset({"winter"}),
    "boots": frozenset({"winter"}),
    "shorts": frozenset({"summer"}),
    "sandals": frozenset({"summer"}),
}
NEUTRALS = frozenset(
    {"Black", "White", "Grey", "Charcoal", "Navy Blue", "Beige", "Cream", "Khaki", "Brown"}
)  # and every denim shade
MAX_ACCENTS, MAX_PATTERNS = 1, 1


def _is_accent(p: DemoProduct) -> bool:
    return p.fabric.pattern != "denim" and p.colour_name not in NEUTRALS


def _is_patterned(p: DemoProduct) -> bool:
    return p.fabric.pattern not in ("solid", "denim")


def broken_rules(garments: list[DemoProduct]) -> list[str]:
    """The rules an outfit breaks ("formality", "season", "colour", "pattern"); empty when it is styled."""
    broken = []
    if not frozenset.intersection(*(FORMALITY[g.article_type] for g in garments)):
        broken.append("formality")
    if not frozenset.intersection(*(SEASONS.get(g.article_type, _BOTH_SEASONS) for g in garments)):
        broken.append("season")
    if sum(map(_is_accent, garments)) > MAX_ACCENTS:
        broken.append("colour")
    if sum(map(_is_patterned, garments)) > MAX_PATTERNS:
        broken.append("pattern")
    return broken


def random_outfit(pool: dict[tuple[str, str], list[DemoProduct]], gender: str, rng: random.Random) -> Outfit:
    """Any top, any bottom (none under a dress), any shoes: the lookbook's sampler before the stylist."""
    top = rng.choice(pool[(gender, "topwear")])
    bottom = None if top.article_type == "dress" else rng.choice(pool[(gender, "bottomwear")])
    return Outfit(top, bottom, rng.choice(pool[(gender, "footwear")]))


def styled_outfit(
    pool: dict[tuple[str, str], list[DemoProduct]], gender: str, rng: random.Random
) -> tuple[Outfit, bool]:
    """(outfit, whether the rules dressed it): a fifth at random; else any top, then a bottom and shoes
    that keep every rule (a top no bottom and shoes of the pool can complete is drawn again)."""
    if rng.random() < RANDOM_SHARE:
        return random_outfit(pool, gender, rng), False
    tops, bottoms, shoes = (pool[(gender, c)] for c in ("topwear", "bottomwear", "footwear"))
    for _ in range(20):
        top = rng.choice(tops)
        options = [None] if top.article_type == "dress" else bottoms
        pairs = [b for b in options if not broken_rules([top] if b is None else [top, b])]
        rng.shuffle(pairs)
        for bottom in pairs:
            worn = [top] if bottom is None else [top, bottom]
            fits = [s for s in shoes if not broken_rules([*worn, s])]
            if fits:
                return Outfit(top, bottom, rng.choice(fits)), True
    return random_outfit(pool, gender, rng), False  # a pool too small to style: nothing the rules allow
