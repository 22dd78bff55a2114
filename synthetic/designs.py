"""Product designs of the demo store, generated from a seed in families of near-duplicates."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from . import vocabulary
from .palette import COLOURS, DENIM_SHADES
from .textures import Fabric

# What each partition sells, from the taxonomy; partitions in category order, men first (the catalog's
# generation order, so the same seed keeps giving the same products).
ARTICLE_TYPES: dict[tuple[str, str], tuple[str, ...]] = {
    (gender, category): vocabulary.article_types_for(gender, category)
    for category in vocabulary.CATEGORY_NAMES
    for gender in vocabulary.SHOPPER_GENDERS
}

PRICE_RANGES = {
    "tshirt": (399, 1499),
    "shirt": (699, 2999),
    "hoodie": (999, 3499),
    "jacket": (1999, 6999),
    "dress": (899, 4999),
    "jeans": (999, 3999),
    "trousers": (899, 3499),
    "shorts": (499, 1799),
    "skirt": (599, 2499),
    "sneakers": (1299, 6999),
    "boots": (2499, 8999),
    "heels": (999, 4999),
    "sandals": (499, 2499),
}

BRANDS = (
    "Northwind",
    "Kestrel & Co",
    "Urban Loom",
    "Maple Row",
    "Solstice",
    "Tidewater",
    "Brick Lane",
    "Indigo Fox",
    "Paper Kite",
    "Halden",
    "Saffron Street",
    "Ravel",
)

PATTERN_WORDS = {
    "solid": "Solid",
    "stripes": "Striped",
    "checks": "Checked",
    "dots": "Polka Dot",
    "print": "Printed",
    "denim": "Washed",
}

# Patterns each article type comes in; denim only where cloth is denim.
PATTERNS_FOR = {
    "tshirt": ("solid", "stripes", "print", "dots"),
    "shirt": ("solid", "stripes", "checks", "dots", "print"),
    "hoodie": ("solid", "stripes", "print"),
    "jacket": ("solid", "checks", "denim"),
    "dress": ("solid", "print", "dots", "stripes", "checks"),
    "jeans": ("denim",),
    "trousers": ("solid", "checks", "stripes"),
    "shorts": ("solid", "denim", "checks", "print"),
    "skirt": ("solid", "print", "checks", "dots", "denim"),
    "sneakers": ("solid",),
    "boots": ("solid",),
    "heels": ("solid",),
    "sandals": ("solid",),
}


@dataclass(frozen=True)
class Cut:
    """Shape parameters of a garment, in body units (the figure is 1.0 tall)."""

    length: float  # hem drop below the waist (tops) or leg/skirt length factor (bottoms)
    fit: float  # 1.0 regular; < 1 slim, > 1 loose
    sleeve: float = 0.0  # 0 sleeveless, ~0.35 short, 1.0 long (tops)
    neckline: str = "crew"  # crew, vee, collar, hood, open
    height: float = 0.0  # shoe shaft height (boots) or heel height (heels)


@dataclass(frozen=True)
class ShoeTrim:
    """What sets one shoe design apart beyond its colour: the sole and an accent detail."""

    sole: tuple[int, int, int]
    accent: tuple[int, int, int]
    style: str  # plain, stripe (side stripe), toecap or collar


SOLES = ((238, 238, 232), (40, 36, 34), (168, 118, 70), (150, 150, 150))
TRIM_STYLES = ("plain", "stripe", "toecap", "collar")


def random_trim(article: str, rng: random.Random) -> ShoeTrim:
    styles = {"heels": ("plain", "toecap"), "sandals": ("plain",)}.get(article, TRIM_STYLES)
    accent = COLOURS[rng.choice(sorted(COLOURS))]
    return ShoeTrim(rng.choice(SOLES), accent, rng.choice(styles))


@dataclass(frozen=True)
class DemoProduct:
    product_id: str
    family: str
    gender: str
    category: str
    article_type: str
    cut: Cut
    fabric: Fabric
    colour_name: str
    brand: str
    price: int
    in_stock: bool
    views: tuple[str, ...]
    trim: ShoeTrim | None = None  # footwear only

    @property
    def title(self) -> str:
        fit = "Slim Fit " if self.cut.fit < 0.95 else ("Relaxed " if self.cut.fit > 1.1 else "")
        who = "Men" if self.gender == "men" else "Women"
        pattern = PATTERN_WORDS[self.fabric.pattern]
        if self.category == "footwear":
            pattern = ""
        words = [who, self.colour_name, pattern, fit + vocabulary.ARTICLE_LABELS[self.article_type]]
        return " ".join(w for w in words if w).replace("  ", " ")

    @property
    def slug(self) -> str:
        return f"{self.gender}s-{self.category}"


def _random_cut(article: str, rng: random.Random) -> Cut:
    fit = rng.choice((0.9, 1.0, 1.0, 1.15))
    if article == "tshirt":
        return Cut(length=rng.uniform(0.1, 0.14), fit=fit, sleeve=rng.choice((0.3, 0.35, 1.0)))
    if article == "shirt":
        return Cut(length=rng.uniform(0.12, 0.16), fit=fit, sleeve=rng.choice((0.35, 1.0, 1.0)), neckline="collar")
    if article == "hoodie":
        return Cut(length=rng.uniform(0.12, 0.15), fit=max(fit, 1.05), sleeve=1.0, neckline="hood")
    if article == "jacket":
        return Cut(length=rng.uniform(0.1, 0.17), fit=max(fit, 1.05), sleeve=1.0, neckline="open")
    if article == "dress":
        return Cut(
            length=rng.uniform(0.3, 0.5),
            fit=fit,
            sleeve=rng.choice((0.0, 0.3, 1.0)),
            neckline=rng.choice(("crew", "vee")),
        )
    if article in ("jeans", "trousers"):
        return Cut(length=1.0, fit=fit)
    if article == "shorts":
        return Cut(length=rng.uniform(0.3, 0.45), fit=max(fit, 1.0))
    if article == "skirt":
        return Cut(length=rng.uniform(0.25, 0.7), fit=rng.uniform(1.1, 1.6))
    if article == "boots":
        return Cut(length=1.0, fit=1.0, height=rng.uniform(0.35, 0.9))
    if article == "heels":
        return Cut(length=1.0, fit=1.0, height=rng.uniform(0.5, 1.0))
    return Cut(length=1.0, fit=1.0, height=0.0)


def _random_fabric(article: str, pattern: str, rng: random.Random) -> tuple[Fabric, str]:
    if pattern == "denim":
        name, base = rng.choice(sorted(DENIM_SHADES.items()))
        return Fabric("denim", base, base, scale=rng.uniform(10, 16), motif_seed=rng.randrange(1 << 30)), name
    name, base = rng.choice(sorted(COLOURS.items()))
    accent_name = rng.choice([n for n in COLOURS if n != name])
    accent = COLOURS[accent_name]
    fabric = Fabric(
        pattern,
        base,
        accent,
        scale=rng.uniform(10, 30),
        angle=rng.choice((0.0, 0.0, 90.0, 45.0)),
        motif_seed=rng.randrange(1 << 30),
    )
    return fabric, name


def _variant(product: DemoProduct, rng: random.Random, index: int) -> DemoProduct:
    """A near-duplicate: the same cut in another colour, or the same colour in another pattern."""
    patterns = PATTERNS_FOR[product.article_type]
    if rng.random() < 0.5 or len(patterns) == 1:
        fabric, colour = _random_fabric(product.article_type, product.fabric.pattern, rng)
        fabric = replace(fabric, scale=product.fabric.scale, angle=product.fabric.angle)
    else:
        other = rng.choice([p for p in patterns if p != product.fabric.pattern])
        fabric = replace(product.fabric, pattern=other, motif_seed=rng.randrange(1 << 30))
        colour = product.colour_name
    return replace(
        product,
        product_id=f"{product.family}-{index}",
        fabric=fabric,
        colour_name=colour,
        price=product.price + rng.choice((-200, -100, 0, 100, 200)),
        in_stock=rng.random() > 0.08,
    )


def _views(category: str, rng: random.Random) -> tuple[str, ...]:
    extra = ["back", "side", "detail"]
    rng.shuffle(extra)
    return ("front", *sorted(extra[: rng.randint(1, 3)]), "model")


def generate_catalog(n_products: int = 600, seed: int = 7) -> list[DemoProduct]:
    """`n_products` designs, an equal share in each of the six partitions, the same for the same seed."""
    rng = random.Random(seed)
    partitions = list(ARTICLE_TYPES)
    quota = {
        part: n_products // len(partitions) + (i < n_products % len(partitions)) for i, part in enumerate(partitions)
    }
    made = dict.fromkeys(partitions, 0)
    products: list[DemoProduct] = []
    family_no = 0
    while len(products) < n_products:
        gender, category = part = partitions[family_no % len(partitions)]
        family = f"DS{family_no:05d}"
        family_no += 1
        if made[part] >= quota[part]:
            continue
        article = rng.choice(ARTICLE_TYPES[part])
        pattern = rng.choice(PATTERNS_FOR[article])
        fabric, colour = _random_fabric(article, pattern, rng)
        low, high = PRICE_RANGES[article]
        base = DemoProduct(
            product_id=f"{family}-0",
            family=family,
            gender=gender,
            category=category,
            article_type=article,
            cut=_random_cut(article, rng),
            fabric=fabric,
            colour_name=colour,
            brand=rng.choice(BRANDS),
            price=int(rng.uniform(low, high) / 50) * 50 + 49,
            in_stock=rng.random() > 0.08,
            views=_views(category, rng),
            # Drawn from the family's own stream so that adding trims left every other draw as it was.
            trim=random_trim(article, random.Random(f"{seed}:{family}")) if category == "footwear" else None,
        )
        family_size = min(rng.choice((1, 1, 2, 3)), quota[part] - made[part])
        products.append(base)
        products.extend(_variant(base, rng, index) for index in range(1, family_size))
        made[part] += family_size
    return products
