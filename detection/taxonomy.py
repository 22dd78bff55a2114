"""The garment taxonomy, read from taxonomy.json beside this module: genders, categories, article types.

Plain Python with no imports from the project, on the lowest floor, so every package can read it:
the catalog's choices, the site profiles' validation, the search partitions, the detector's
classes, the pose regions, the worn colours, complete the look and the look page. Adding a
category is an entry in the file and the retraining docs/architecture.md lists. The
SHOPTHELOOK_TAXONOMY environment variable names another file (a catalog's own taxonomy, or a test's).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_FILE = Path(__file__).resolve().with_name("taxonomy.json")
# The body parts a garment can be worn on, each with a pose region in detection/body.py.
BODY_PARTS = ("torso", "legs", "feet")
MEN, WOMEN, UNISEX = "men", "women", "unisex"  # the gender model reads men and women; unisex fits both
MAX_NAME = 12  # the catalog's category column
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


class TaxonomyError(ValueError):
    """The taxonomy file is missing, unreadable or inconsistent."""


@dataclass(frozen=True)
class Gender:
    name: str  # the stored value, e.g. "men"
    label: str  # what a person reads, e.g. "Men"


@dataclass(frozen=True)
class Category:
    """A kind of garment: a catalog value, one of the detector's classes, and a search partition."""

    name: str  # "topwear"
    label: str  # "Topwear": admin, filters, profiles
    item_name: str  # "Top": one detected item on the look page
    # The body part it is worn on (one of BODY_PARTS), or None: the detector's box is then taken as
    # it is found, with no pose region to check it against.
    worn_on: str | None
    # Where it is worn on a standing person, as fractions of the person's height from the top (read
    # off the lookbook's ground truth): regions when neither pose nor detector finds any, and the
    # guess for a region the shopper draws.
    body_span: tuple[float, float]
    # The share of a worn garment's box its colours are read from (left, top, right, bottom): arms,
    # skin and the gap between the legs stay out.
    colour_region: tuple[float, float, float, float]
    colour_off_backdrop: bool  # its worn colours leave out the colour around it (shoes stand on floors)
    display_colour: str  # "#e8590c": its boxes on the look page


@dataclass(frozen=True)
class ArticleType:
    name: str  # "tshirt": the catalog's article_type
    label: str  # "T-shirt"
    category: str
    genders: tuple[str, ...]  # who it is sold to (unisex products fit either)
    keywords: tuple[str, ...]  # words in a product title that name it; earlier types win ("t-shirt" before "shirt")


@dataclass(frozen=True)
class Taxonomy:
    genders: tuple[Gender, ...]
    shopper_genders: tuple[str, ...]
    person_class: str
    categories: tuple[Category, ...]
    article_types: tuple[ArticleType, ...]


def _category(raw: dict) -> Category:
    span, region = tuple(map(float, raw["body_span"])), tuple(map(float, raw["colour_region"]))
    c = Category(
        str(raw["name"]),
        str(raw["label"]),
        str(raw["item_name"]),
        raw.get("worn_on"),
        span,
        region,
        bool(raw.get("colour_off_backdrop", False)),
        str(raw["display_colour"]),
    )
    if not 0 < len(c.name) <= MAX_NAME or not c.name.isidentifier():
        raise TaxonomyError(f"category name {c.name!r}: a lower-case word of at most {MAX_NAME} letters")
    if c.worn_on is not None and c.worn_on not in BODY_PARTS:
        raise TaxonomyError(f"{c.name}: worn_on {c.worn_on!r} is none of {', '.join(BODY_PARTS)} (or null)")
    if len(span) != 2 or not 0 <= span[0] < span[1] <= 1:
        raise TaxonomyError(f"{c.name}: body_span must be [top, bottom] with 0 <= top < bottom <= 1")
    if len(region) != 4 or not (0 <= region[0] < region[2] <= 1 and 0 <= region[1] < region[3] <= 1):
        raise TaxonomyError(f"{c.name}: colour_region must be [left, top, right, bottom] shares of the box")
    if not _COLOUR.fullmatch(c.display_colour):
        raise TaxonomyError(f"{c.name}: display_colour {c.display_colour!r} is not #rrggbb")
    return c


def load(path: Path) -> Taxonomy:
    """The taxonomy in `path`, checked whole; TaxonomyError says what is wrong."""
    try:
        raw = json.loads(Path(path).read_text())
        genders = tuple(Gender(g["name"], g["label"]) for g in raw["genders"])
        categories = tuple(_category(c) for c in raw["categories"])
        types = tuple(
            ArticleType(a["name"], a["label"], a["category"], tuple(a["genders"]), tuple(a["keywords"]))
            for a in raw["article_types"]
        )
        taxonomy = Taxonomy(genders, tuple(raw["shopper_genders"]), str(raw["person_class"]), categories, types)
    except TaxonomyError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:  # unreadable, not JSON, a field missing
        raise TaxonomyError(f"taxonomy {path}: {exc!r}") from exc
    gender_names = {g.name for g in genders}
    names = [c.name for c in categories]
    if not {MEN, WOMEN, UNISEX} <= gender_names or not set(taxonomy.shopper_genders) <= gender_names:
        raise TaxonomyError(f"taxonomy {path}: genders must include {MEN}, {WOMEN} and {UNISEX}")
    if len(set(names)) != len(names) or taxonomy.person_class in names or not names:
        raise TaxonomyError(f"taxonomy {path}: category names must be distinct, and none the person class")
    for a in types:
        if a.category not in names or not set(a.genders) <= gender_names:
            raise TaxonomyError(f"article type {a.name}: unknown category {a.category!r} or genders {a.genders}")
    return taxonomy


TAXONOMY = load(Path(os.environ.get("SHOPTHELOOK_TAXONOMY") or DEFAULT_FILE))
GENDERS = TAXONOMY.genders
SHOPPER_GENDERS = TAXONOMY.shopper_genders  # a person is searched as one of these; unisex fits both
CATEGORIES = TAXONOMY.categories
CATEGORY_NAMES: tuple[str, ...] = tuple(c.name for c in CATEGORIES)
# The detector's classes, in the order of their ids: every category, then the person it is worn by.
PERSON_CLASS = TAXONOMY.person_class
DETECTOR_CLASSES: tuple[str, ...] = (*CATEGORY_NAMES, PERSON_CLASS)
ARTICLE_TYPES = TAXONOMY.article_types
ARTICLE_LABELS: dict[str, str] = {a.name: a.label for a in ARTICLE_TYPES}
