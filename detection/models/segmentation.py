"""The person mask, at run time: MediaPipe's selfie segmentation in TFLite, read over a person's box."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ..boxes import Box, rgb
from ..litert import TFLiteModel
from ..registry import ModelEntry, register


@dataclass(frozen=True)
class PersonMask:
    """Person probabilities over one box of the photo (the box the model was run on)."""

    box: Box
    probabilities: np.ndarray  # (S, S) over the box, stretched

    def over(self, box: tuple[float, float, float, float], width: int, height: int) -> np.ndarray:
        """The mask resampled over another photo box, as (height, width) probabilities (0 outside the mask's box)."""
        size_y, size_x = self.probabilities.shape
        sx, sy = size_x / self.box.width, size_y / self.box.height
        x1, y1, x2, y2 = box
        data = (
            (x2 - x1) / width * sx,
            0.0,
            (x1 - self.box.x1) * sx,
            0.0,
            (y2 - y1) / height * sy,
            (y1 - self.box.y1) * sy,
        )
        image = Image.fromarray(self.probabilities.astype(np.float32), mode="F")
        return np.asarray(image.transform((width, height), Image.Transform.AFFINE, data, Image.Resampling.BILINEAR))


class PersonSegmenter:
    """Which pixels of a box are a person: the general selfie model, run on the box stretched to its input."""

    def __init__(self, model_path: Path, info: dict, threads: int = 1):
        self.model = TFLiteModel(model_path, threads)
        self.height, self.width = (int(v) for v in info["input_size"])

    @classmethod
    def from_entry(cls, entry: ModelEntry) -> PersonSegmenter:
        return cls(entry.path, entry.info)

    def predict(self, image: Image.Image, box: Box) -> PersonMask:
        """The person mask over `box`."""
        crop = rgb(image.crop(tuple(round(v) for v in box.as_tuple())))
        pixels = np.asarray(crop.resize((self.width, self.height), Image.Resampling.BILINEAR), np.float32) / 255.0
        (out,) = self.model.run(pixels[None])
        return PersonMask(box, out[0, :, :, 0])


person_segmenter = register("person_segmentation", PersonSegmenter.from_entry)
