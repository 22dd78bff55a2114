"""The article type of a garment (t-shirt, jeans, sneakers...), read from catalog photos or a garment crop."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ..boxes import square_crop
from ..litert import TFLiteModel
from ..registry import ModelEntry, register


@dataclass(frozen=True)
class ArticleGuess:
    article_type: str
    score: float  # P(article_type)


class ArticleClassifier:
    """P(article type) from square crops; a product's photos are read together and their probabilities averaged."""

    def __init__(self, model_path: Path, classes: list[str] | tuple[str, ...], types_by_category: dict | None = None):
        self.model = TFLiteModel(model_path)
        self.size = self.model.input_shape[1]
        self.classes = tuple(classes)
        self.types_by_category = {c: tuple(t) for c, t in (types_by_category or {}).items()}

    @classmethod
    def from_entry(cls, entry: ModelEntry) -> ArticleClassifier:
        return cls(entry.path, entry.classes, entry.info.get("types_by_category"))

    def probabilities(self, crops: np.ndarray) -> np.ndarray:
        """P(type) per prepared square crop: the network alone, as training evaluates it."""
        # The file takes one crop per call: fixed shapes keep LiteRT's XNNPACK plan.
        return np.stack([np.ravel(self.model.run(np.asarray(c, np.float32)[None])[0]) for c in crops])

    def predict(self, photos: list[Image.Image], category: str | None = None) -> ArticleGuess | None:
        """The type the photos show together, among the category's types when the category is known."""
        if not photos:
            return None
        crops = np.stack([square_crop(photo.convert("RGB"), None, self.size) for photo in photos])
        return self.best_within(self.probabilities(crops).mean(0), category)

    def best_within(self, p: np.ndarray, category: str | None) -> ArticleGuess:
        """The likeliest type of P(type) `p` among the category's types (all types when it is unknown)."""
        allowed = self.types_by_category.get(category or "", self.classes)
        mask = np.array([c in allowed for c in self.classes])
        p = np.where(mask, p, 0.0)
        p = p / max(float(p.sum()), 1e-9)
        best = int(p.argmax())
        return ArticleGuess(self.classes[best], float(p[best]))


article_classifier = register("article_classifier", ArticleClassifier.from_entry)
