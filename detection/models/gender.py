"""Gender of the person in a photo, at run time: a MobileNetV2 classifier in TFLite returning P(women)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ..boxes import fit_crop
from ..litert import TFLiteModel
from ..registry import ModelEntry, register


@dataclass(frozen=True)
class GenderGuess:
    """The body classifier's P(women) for one person; scene.read_gender decides how far to trust it."""

    p_women: float

    @property
    def label(self) -> str:
        return "women" if self.p_women >= 0.5 else "men"


class GenderClassifier:
    """P(women) for the person in a box, read from the whole figure."""

    def __init__(self, model_path: Path, threads: int = 1):
        self.model = TFLiteModel(model_path, threads)
        # Older files take a square; newer ones a tall crop, as tall as a standing person's box.
        self.height, self.width = self.model.input_shape[1:3]

    @classmethod
    def from_entry(cls, entry: ModelEntry) -> GenderClassifier:
        return cls(entry.path)

    def predict(self, image: Image.Image, person_box: tuple[float, float, float, float] | None = None) -> GenderGuess:
        (out,) = self.model.run(fit_crop(image, person_box, self.height, self.width)[None])
        return GenderGuess(float(np.ravel(out)[0]))


gender_classifier = register("gender_classifier", GenderClassifier.from_entry)
