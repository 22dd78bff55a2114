"""How often the look page names a worn garment by its own article type, on a lookbook split's garment boxes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from detection.boxes import square_crop

from .siamese import read_catalog

NameFn = Callable[[Image.Image, tuple[float, float, float, float], str], object]  # -> ArticleGuess | None


def namer_names(namer) -> NameFn:
    """The garment namer as a NameFn: its type for the box."""
    return lambda image, box, category: namer.predict(image, box, category).guess


def classifier_names(classifier) -> NameFn:
    """The article classifier as a NameFn: the type of one detected garment, its box cut from a photo of a
    person (with the crop's usual margin), among its category's types."""

    def name(image: Image.Image, box: tuple[float, float, float, float], category: str):
        crop = square_crop(image.convert("RGB"), box, classifier.size)
        return classifier.best_within(classifier.probabilities(crop[None])[0], category)

    return name


def evaluate_names(
    name: NameFn,
    lookbook: Path,
    split: str,
    limit: int | None = None,
    keep: Callable[[str], bool] = lambda product_id: True,
) -> dict:
    """Accuracy of `name` (image, box, category) on every garment box of the split whose product `keep`s,
    overall and per category."""
    catalog = read_catalog(lookbook)
    pairs = [json.loads(line) for line in (lookbook / "pairs" / f"{split}.jsonl").read_text().splitlines()]
    pairs = [p for p in pairs if p["product"] in catalog and keep(p["product"])]
    right: dict[str, list[bool]] = {}
    for pair in pairs[:limit]:
        product = catalog[pair["product"]]
        with Image.open(lookbook / pair["scene"]) as scene:
            w, h = scene.size
            x1, y1, x2, y2 = pair["bbox"]
            guess = name(scene.convert("RGB"), (x1 * w, y1 * h, x2 * w, y2 * h), product["category"])
        named = getattr(guess, "article_type", None)
        right.setdefault(product["category"], []).append(named == product["article_type"])
    every = [v for values in right.values() for v in values]
    return {
        "garments": len(every),
        "accuracy": round(float(np.mean(every)), 4) if every else None,
        "by_category": {c: round(float(np.mean(v)), 4) for c, v in sorted(right.items())},
    }
