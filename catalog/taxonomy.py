"""The one garment taxonomy: genders, garment categories and article types, read by every other part.

Adding a category is one entry in CATEGORIES (and its article types in ARTICLE_TYPES), then a
retrain: the catalog's choices, the site profiles' validation, the detector's classes, the index
partitions, the lookbook's labels and the look page's names all come from here. This module is
plain Python with no imports from the project, so Django-free code (the synthetic shop, the
training commands) can read it too.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Gender:
    name: str  # the stored value, e.g. "men"
    label: str  # what a person reads, e.g. "Men"


MEN, WOMEN, UNISEX = "men", "women", "unisex"
GENDERS: tuple[Gender, ...] = (Gender(MEN, "Men"), Gender(WOMEN, "Women"), Gender(UNISEX, "Unisex"))
SHOPPER_GENDERS: tuple[str, ...] = (MEN, WOMEN)  # a person is searched as one of these; unisex fits both


@dataclass(frozen=True)
class Category:
    """A kind of garment: a catalog value, one of the detector's classes, and a search partition."""

    name: str  # "topwear"
    label: str  # "Topwear": admin, filters, profiles
    item_name: str  # "Top": one detected item on the look page
    # Where it is worn on a standing person, as fractions of the person's height from the top
    # (read off the lookbook's ground truth). Used to place regions when the detector finds none,
    # and to guess the category of a region the shopper draws.
    body_span: tuple[float, float]


CATEGORIES: tuple[Category, ...] = (
    Category("topwear", "Topwear", "Top", (0.14, 0.55)),
    Category("bottomwear", "Bottomwear", "Bottom", (0.46, 0.93)),
    Category("footwear", "Footwear", "Footwear", (0.9, 1.0)),
)
CATEGORY_NAMES: tuple[str, ...] = tuple(c.name for c in CATEGORIES)

# The detector's classes, in the order of their ids: every category, then the person it is worn by.
PERSON_CLASS = "person"
DETECTOR_CLASSES: tuple[str, ...] = (*CATEGORY_NAMES, PERSON_CLASS)


@dataclass(frozen=True)
class ArticleType:
    name: str  # "tshirt": the catalog's article_type
    label: str  # "T-shirt"
    category: str
    genders: tuple[str, ...]  # who it is sold to (unisex products fit either)
    keywords: tuple[str, ...]  # words in a product title that name it; earlier types win ("t-shirt" before "shirt")


_BOTH = (MEN, WOMEN)
ARTICLE_TYPES: tuple[ArticleType, ...] = (
    ArticleType("tshirt", "T-shirt", "topwear", _BOTH, ("t-shirt", "tshirt", "tee", "polo")),
    ArticleType("shirt", "Shirt", "topwear", _BOTH, ("shirt",)),
    ArticleType("hoodie", "Hoodie", "topwear", _BOTH, ("hoodie", "sweatshirt")),
    ArticleType("jacket", "Jacket", "topwear", _BOTH, ("jacket", "blazer")),
    ArticleType("dress", "Dress", "topwear", (WOMEN,), ("dress",)),
    ArticleType("jeans", "Jeans", "bottomwear", _BOTH, ("jeans",)),
    ArticleType("trousers", "Trousers", "bottomwear", _BOTH, ("trousers", "chinos")),
    ArticleType("shorts", "Shorts", "bottomwear", _BOTH, ("shorts",)),
    ArticleType("skirt", "Skirt", "bottomwear", (WOMEN,), ("skirt",)),
    ArticleType("sneakers", "Sneakers", "footwear", _BOTH, ("sneakers",)),
    ArticleType("boots", "Boots", "footwear", _BOTH, ("boots",)),
    ArticleType("heels", "Heels", "footwear", (WOMEN,), ("heels",)),
    ArticleType("sandals", "Sandals", "footwear", _BOTH, ("sandals", "flip flops")),
)
ARTICLE_LABELS: dict[str, str] = {a.name: a.label for a in ARTICLE_TYPES}


def category(name: str) -> Category:
    """The category called `name`; KeyError for anything else."""
    for c in CATEGORIES:
        if c.name == name:
            return c
    raise KeyError(f"{name!r} is not a garment category ({', '.join(CATEGORY_NAMES)})")


def article_types_for(gender: str, category_name: str) -> tuple[str, ...]:
    """The article types of a category sold to `gender`, in taxonomy order."""
    return tuple(a.name for a in ARTICLE_TYPES if a.category == category_name and gender in a.genders)
