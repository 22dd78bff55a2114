"""Training pairs from outside the lookbook: Shop The Look style records, or a catalog's model shots."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .siamese import Pair

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
NO_PARTITION = ("all", "all")


def _find(images: Path, stem: str) -> Path | None:
    for suffix in IMAGE_SUFFIXES:
        if (path := images / f"{stem}{suffix}").is_file():
            return path
    return None


def read_records(path: Path) -> list[dict]:
    """A JSON array or JSON lines of {"scene", "product", "bbox", ["gender", "category"]} records."""
    text = path.read_text().strip()
    if text.startswith("["):
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def stl_pairs(records: Iterable[dict], images: Path) -> tuple[list[Pair], int]:
    """Pairs from Shop The Look style records whose images are `images/<id>.<jpg|png|webp>`.

    `bbox` is the product's box in the scene as normalised [left, top, right, bottom] (as in our
    lookbook's pairs files). Records whose scene or product photo is missing, or whose box is not
    a proper box inside the image, are skipped; their number is returned with the pairs.
    """
    pairs, skipped = [], 0
    for rec in records:
        scene, product = _find(images, str(rec["scene"])), _find(images, str(rec["product"]))
        left, top, right, bottom = (float(v) for v in rec["bbox"])
        if scene is None or product is None or not (0 <= left < right <= 1 and 0 <= top < bottom <= 1):
            skipped += 1
            continue
        partition = (rec.get("gender", "all"), rec.get("category", "all"))
        pairs.append(Pair(scene, (left, top, right, bottom), str(rec["product"]), partition, (product,)))
    return pairs, skipped


@dataclass(frozen=True)
class ModelShot:
    """A catalog product photographed on a model, and its other photos."""

    product: str
    gender: str
    category: str
    model_shot: Path
    photos: tuple[Path, ...]


BoxFinder = Callable[[Path, str], tuple[float, float, float, float] | None]  # (photo, category) -> normalised box


def model_shot_pairs(shots: Iterable[ModelShot], find_box: BoxFinder) -> tuple[list[Pair], int]:
    """Pairs whose anchor is the product worn in its model shot, boxed by `find_box` (the detector).

    A shot where the product's category is not found, or a product with no other photo, is skipped.
    """
    pairs, skipped = [], 0
    for shot in shots:
        box = find_box(shot.model_shot, shot.category) if shot.photos else None
        if box is None:
            skipped += 1
            continue
        pairs.append(Pair(shot.model_shot, box, shot.product, (shot.gender, shot.category), shot.photos))
    return pairs, skipped


def split_by_product(pairs: list[Pair], held_out: float, seed: int) -> tuple[list[Pair], list[Pair]]:
    """(train, held-out): whole products go to one side, so held-out figures are on unseen products."""
    products = sorted({p.product for p in pairs})
    random.Random(seed).shuffle(products)
    test = set(products[: max(1, round(len(products) * held_out))])
    return [p for p in pairs if p.product not in test], [p for p in pairs if p.product in test]
