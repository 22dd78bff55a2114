"""Gender of the person in a photo, at run time: a MobileNetV2 classifier in TFLite returning P(women)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from .litert import TFLiteModel

PAD_FILL = (128, 128, 128)
MARGIN = 0.08  # share of the box added on every side: some context around the body


def square_crop(image: Image.Image, box: tuple[float, float, float, float] | None, size: int) -> np.ndarray:
    """The person's box (or the whole photo) with a margin, padded to a square, as float32 [0, 1]."""
    w, h = image.size
    x1, y1, x2, y2 = box if box is not None else (0, 0, w, h)
    mx, my = (x2 - x1) * MARGIN, (y2 - y1) * MARGIN
    x1, y1, x2, y2 = max(0, x1 - mx), max(0, y1 - my), min(w, x2 + mx), min(h, y2 + my)
    crop = image.convert("RGB").crop((round(x1), round(y1), round(x2), round(y2)))
    side = max(crop.size)
    square = Image.new("RGB", (side, side), PAD_FILL)
    square.paste(crop, ((side - crop.width) // 2, (side - crop.height) // 2))
    return np.asarray(square.resize((size, size), Image.Resampling.BILINEAR), np.float32) / 255.0


@dataclass(frozen=True)
class GenderGuess:
    p_women: float

    @property
    def label(self) -> str:
        return "women" if self.p_women >= 0.5 else "men"

    def confident(self, margin: float = 0.3) -> bool:
        """Sure enough to search one gender's partition only."""
        return abs(self.p_women - 0.5) >= margin / 2


class GenderClassifier:
    def __init__(self, model_path: Path, threads: int = 1):
        self.model = TFLiteModel(model_path, threads)
        self.size = self.model.input_shape[1]

    def classify(self, image: Image.Image, person_box: tuple[float, float, float, float] | None = None) -> GenderGuess:
        (out,) = self.model.run(square_crop(image, person_box, self.size)[None])
        return GenderGuess(float(np.ravel(out)[0]))
