"""Which view each catalog photo of a product shows (front, back, side, detail, model shot), and its best thumbnail."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ..boxes import square_crop
from ..litert import TFLiteModel
from ..registry import ModelEntry, register


@dataclass(frozen=True)
class ViewGuess:
    view: str
    score: float  # P(view)
    probabilities: dict[str, float]


class ViewClassifier:
    """Reads all the photos of one product at once: the model tells views apart relative to each other."""

    def __init__(self, model_path: Path, classes: list[str] | tuple[str, ...], preferred: dict[str, str] | None = None):
        self.model = TFLiteModel(model_path)
        self.size = self.model.input_shape[1]
        self.classes = tuple(classes)
        self.preferred = dict(preferred or {})

    @classmethod
    def from_entry(cls, entry: ModelEntry) -> ViewClassifier:
        return cls(entry.path, entry.classes, entry.info.get("preferred"))

    def probabilities(self, crops: np.ndarray) -> np.ndarray:
        """P(view) per row of a batch of square crops, the whole batch one product."""
        (p,) = self.model.run(np.asarray(crops, np.float32))
        return np.asarray(p, np.float32)

    def predict(self, photos: list[Image.Image]) -> list[ViewGuess]:
        """Each photo's view, the photos read together as one product's."""
        if not photos:
            return []
        p = self.probabilities(np.stack([square_crop(photo.convert("RGB"), None, self.size) for photo in photos]))
        return [
            ViewGuess(
                self.classes[int(row.argmax())], float(row.max()), dict(zip(self.classes, map(float, row), strict=True))
            )
            for row in p
        ]

    def thumbnail(self, guesses: list[ViewGuess], category: str) -> int:
        """Which of `predict`'s guesses shows the category's preferred view (a side view for shoes, the
        front for clothes): the product's thumbnail; with one photo, that one."""
        want = self.preferred.get(category, "front")
        return int(np.argmax([g.probabilities.get(want, 0.0) for g in guesses])) if guesses else 0


view_classifier = register("view_classifier", ViewClassifier.from_entry)
