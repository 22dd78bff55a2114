"""Faces in a photo, at run time: MediaPipe's BlazeFace (full range) in TFLite, anchors and NMS in NumPy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ..boxes import Box
from ..litert import TFLiteModel
from ..registry import ModelEntry, register
from ..ssd import anchor_centres, detect

# The six keypoints, in the model's order; "right" is the person's own right (the photo's left).
RIGHT_EYE, LEFT_EYE, NOSE, MOUTH, RIGHT_EAR, LEFT_EAR = range(6)


@dataclass(frozen=True)
class Face:
    box: Box  # label "face", in photo pixels
    keypoints: np.ndarray  # (6, 2) photo pixels

    def shifted(self, dx: float, dy: float) -> Face:
        """The same face in a photo this one was cropped from at (dx, dy)."""
        b = self.box
        offset = np.array([dx, dy], dtype=self.keypoints.dtype)
        return Face(Box(b.label, b.score, b.x1 + dx, b.y1 + dy, b.x2 + dx, b.y2 + dy), self.keypoints + offset)

    @property
    def eye_angle(self) -> float:
        """The tilt of the line between the eyes, in radians (0 for a level face)."""
        (rx, ry), (lx, ly) = self.keypoints[RIGHT_EYE], self.keypoints[LEFT_EYE]
        return float(np.arctan2(ly - ry, lx - rx))


class FaceDetector:
    """Every face the full-range BlazeFace finds (faces up to about 5 m from the camera)."""

    def __init__(self, model_path: Path, info: dict, threads: int = 1):
        self.model = TFLiteModel(model_path, threads)
        self.size = int(info["input_size"][0])
        self.threshold = float(info["score_threshold"])
        self.anchors = anchor_centres(self.size, info["anchors"]["strides"], info["anchors"]["per_cell"])

    @classmethod
    def from_entry(cls, entry: ModelEntry) -> FaceDetector:
        return cls(entry.path, entry.info)

    def predict(self, image: Image.Image) -> list[Face]:
        """Every face found, with its six keypoints (eyes, nose, mouth, ears)."""
        return [
            Face(Box("face", d.score, *(float(v) for v in d.box)).clipped(image.width, image.height), d.keypoints)
            for d in detect(self.model, image, self.size, self.anchors, self.threshold)
        ]


face_detector = register("face_detector", FaceDetector.from_entry)
