"""The demo store's stylist: outfits composed by the rules stylists dress model shots by, a fifth at random.

A stylist picks the top, then the bottom and the shoes that go with it. Four rules, of the kind
real stylists follow:

1. **Formality.** Every article type sits at one or more levels: 0 casual, 1 smart casual,
   2 smart. An outfit needs a level all its garments share: a shirt and trousers go with boots or
   heels, a t-shirt and jeans with sneakers, never a t-shirt with heels.
2. **Season.** An outfit is for summer or winter: hoodies, jackets and boots are winter's,
   shorts and sandals summer's, the rest both.
3. **Colour.** Neutrals (black, white, greys, navy, the beiges and browns, every denim) with at
   most one accent colour, and at most one patterned garment (denim is no pattern): no clashes.
4. **Neutrals of one temperature.** Warm neutrals (brown, beige, cream, khaki) and cool ones
   (black, grey, charcoal, navy) are not mixed; white and denim go with either.

And a taste: of the garments the rules allow, a stylist takes the best of the few on the rail
(`HANDFUL` drawn at random), not just any: the bottom that contrasts most in lightness with the
top (light over dark, or dark over light), the shoes closest in tone to the garment above them,
so the line of the leg runs on. The rules say what may be worn together; the taste makes what is
worn together stand out from what merely may be, as it does in real model shots.

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
WARM_NEUTRALS = frozenset({"Beige", "Cream", "Khaki", "Brown"})
COOL_NEUTRALS = frozenset({"Black", "Grey", "Charcoal", "Navy Blue"})
HANDFUL = 5  # garments that keep the rules a stylist weighs against each other


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
    neutrals = {g.colour_name for g in garments if g.fabric.pattern != "denim"}
    if neutrals & WARM_NEUTRALS and neutrals & COOL_NEUTRALS:
        broken.append("neutrals")
    return broken


def lightness(p: DemoProduct) -> float:
    """The garment's main colour's lightness, 0 (black) to 255 (white), as the eye weighs the channels."""
    r, g, b = p.fabric.base
    return 0.299 * r + 0.587 * g + 0.114 * b


def _best_first(options: list, rng: random.Random, worse) -> list:
    """`options` shuffled, a handful of them first and best first among those (by `worse`, lower is better)."""
    options = list(options)
    rng.shuffle(options)
    return sorted(options[:HANDFUL], key=worse) + options[HANDFUL:]


def _contrast(a: DemoProduct):
    return lambda b: 0.0 if b is None else -abs(lightness(a) - lightness(b))  # more contrast is better


def _tone(a: DemoProduct):
    return lambda b: abs(lightness(a) - lightness(b))  # closer in tone is better


def random_outfit(pool: dict[tuple[str, str], list[DemoProduct]], gender: str, rng: random.Random) -> Outfit:
    """Any top, any bottom (none under a dress), any shoes: the lookbook's sampler before the stylist."""
    top = rng.choice(pool[(gender, "topwear")])
    bottom = None if top.article_type == "dress" else rng.choice(pool[(gender, "bottomwear")])
    return Outfit(top, bottom, rng.choice(pool[(gender, "footwear")]))


def styled_outfit(
    pool: dict[tuple[str, str], list[DemoProduct]], gender: str, rng: random.Random
) -> tuple[Outfit, bool]:
    """(outfit, whether the rules dressed it): a fifth at random; else any top, then the best of a
    handful of bottoms that keep every rule with it, then the best of a handful of shoes (a top no
    bottom and shoes of the pool can complete is drawn again)."""
    if rng.random() < RANDOM_SHARE:
        return random_outfit(pool, gender, rng), False
    tops, bottoms, shoes = (pool[(gender, c)] for c in ("topwear", "bottomwear", "footwear"))
    for _ in range(20):
        top = rng.choice(tops)
        options = [None] if top.article_type == "dress" else [b for b in bottoms if not broken_rules([top, b])]
        for bottom in _best_first(options, rng, _contrast(top)):
            worn = [top] if bottom is None else [top, bottom]
            fits = [s for s in shoes if not broken_rules([*worn, s])]
            if fits:
                return Outfit(top, bottom, _best_first(fits, rng, _tone(worn[-1]))[0]), True
    return random_outfit(pool, gender, rng), False  # a pool too small to style: nothing the rules allow


def styled_around(
    product: DemoProduct, pool: dict[tuple[str, str], list[DemoProduct]], rng: random.Random
) -> tuple[Outfit, bool]:
    """(outfit wearing `product`, whether the rules dressed it): a model shot's outfit. Its other
    garments are each the best of a handful that keep every rule with what is chosen so far, or,
    a fifth of the time, any."""
    gender = product.gender
    tops = [t for t in pool[(gender, "topwear")] if t.article_type != "dress"]  # a dress leaves no bottom to show
    rails = {"topwear": tops, "bottomwear": pool[(gender, "bottomwear")], "footwear": pool[(gender, "footwear")]}
    # The order a stylist dresses around the product: what sits next to it first.
    order = {
        "topwear": ["footwear"] if product.article_type == "dress" else ["bottomwear", "footwear"],
        "bottomwear": ["topwear", "footwear"],
        "footwear": ["bottomwear", "topwear"],
    }[product.category]
    worn: dict[str, DemoProduct] = {product.category: product}
    styled = rng.random() >= RANDOM_SHARE
    for category in order:
        options = rails[category]
        if styled:
            options = [g for g in options if not broken_rules([*worn.values(), g])]
            if not options:  # nothing on the rails keeps every rule with what is chosen: dress by chance
                styled = False
                options = rails[category]
        worn[category] = _best_first(options, rng, _taste(category, worn))[0] if styled else rng.choice(options)
    slots = {"topwear": "top", "bottomwear": "bottom", "footwear": "footwear"}
    return Outfit(**{slots[c]: g for c, g in worn.items()}), styled


def _taste(category: str, worn: dict[str, DemoProduct]):
    """How a stylist ranks the `category` garments that keep the rules, given those `worn` so far."""
    if category == "bottomwear":
        return _contrast(worn["topwear"]) if "topwear" in worn else _tone(worn["footwear"])
    if category == "topwear":
        return _contrast(worn["bottomwear"]) if "bottomwear" in worn else (lambda g: 0.0)
    return _tone(worn.get("bottomwear") or worn["topwear"])
