"""The taxonomy the synthetic shop sells by, read straight from the app's taxonomy file (it imports nothing of the app).

The shop draws the categories it has painters for (figure.py, garments.py, shoes.py): a category
added to the file needs its painter here before the lookbook shows it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

FILE = Path(
    os.environ.get("SHOPTHELOOK_TAXONOMY") or Path(__file__).resolve().parents[1] / "detection" / "taxonomy.json"
)
_RAW = json.loads(FILE.read_text())

SHOPPER_GENDERS: tuple[str, ...] = tuple(_RAW["shopper_genders"])
GENDER_LABELS: dict[str, str] = {g["name"]: g["label"] for g in _RAW["genders"]}
CATEGORY_LABELS: dict[str, str] = {c["name"]: c["label"] for c in _RAW["categories"]}
CATEGORY_NAMES: tuple[str, ...] = tuple(CATEGORY_LABELS)
DETECTOR_CLASSES: tuple[str, ...] = (*CATEGORY_NAMES, _RAW["person_class"])  # YOLO label ids, in this order
ARTICLE_LABELS: dict[str, str] = {a["name"]: a["label"] for a in _RAW["article_types"]}


def article_types_for(gender: str, category: str) -> tuple[str, ...]:
    """The article types of `category` sold to `gender`, in the file's order."""
    return tuple(a["name"] for a in _RAW["article_types"] if a["category"] == category and gender in a["genders"])
