"""Gender read from a face, at run time: TFLite face classifiers, each giving P(women) for an upright face chip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from ..boxes import rgb
from ..litert import TFLiteModel
from ..pose import Roi
from ..registry import ModelEntry, register
from .faces import Face
from .gender import GenderGuess


def face_chip(image: Image.Image, face: Face, size: int, padding: float) -> Image.Image:
    """The face turned so its eyes are level, as a `size` square with `padding` (a share of the face) around it."""
    x1, y1, x2, y2 = face.box.as_tuple()
    chip = Roi((x1 + x2) / 2, (y1 + y2) / 2, max(x2 - x1, y2 - y1) * (1 + 2 * padding), face.eye_angle)
    return rgb(image).transform((size, size), Image.Transform.AFFINE, chip.affine(size), Image.Resampling.BILINEAR)


class FaceGenderClassifier:
    """P(women) of a face, from a classifier whose manifest entry says its input, normalisation and classes."""

    def __init__(self, model_path: Path, info: dict, threads: int = 1):
        self.model = TFLiteModel(model_path, threads)
        self.size = int(info["input_size"][0])
        prep = info["preprocessing"]
        self.padding = float(prep["chip_padding"])
        self.mean = np.asarray(prep["mean"], np.float32)
        self.scale = float(prep["scale"])
        self.women = list(info["classes"]).index("women")

    @classmethod
    def from_entry(cls, entry: ModelEntry) -> FaceGenderClassifier:
        return cls(entry.path, entry.info)

    def predict(self, image: Image.Image, face: Face) -> GenderGuess:
        chip = np.asarray(face_chip(image, face, self.size, self.padding), np.float32)
        (out,) = self.model.run(((chip - self.mean) * self.scale)[None])
        return GenderGuess(float(np.ravel(out)[self.women]))


face_gender_cydral = register("face_gender_cydral", FaceGenderClassifier.from_entry)
face_gender_agegender = register("face_gender_agegender", FaceGenderClassifier.from_entry)
