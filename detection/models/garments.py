"""Garment detection at run time: the YOLOv5u TFLite model, letterboxing, decoding and NMS in NumPy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from ..boxes import Box, letterbox, nms
from ..litert import TFLiteModel
from ..registry import ModelEntry, register
from ..taxonomy import PERSON_CLASS

PERSON = PERSON_CLASS  # the detector's class for the person wearing the garments; every other class is a garment


class GarmentDetector:
    """Finds each garment class of the model (and the person) in a photo."""

    def __init__(self, model_path: Path, classes: tuple[str, ...], threads: int = 1):
        self.model = TFLiteModel(model_path, threads)
        self.size = self.model.input_shape[1]
        self.classes = classes

    @classmethod
    def from_entry(cls, entry: ModelEntry) -> GarmentDetector:
        """The shipped detector, with the classes its manifest entry records."""
        return cls(entry.path, entry.classes)

    @property
    def garment_classes(self) -> tuple[str, ...]:
        return tuple(c for c in self.classes if c != PERSON)

    def predict(self, image: Image.Image, conf: float = 0.25, iou: float = 0.5, max_det: int = 50) -> list[Box]:
        """Boxes in the photo's pixel coordinates, best first, after class-wise NMS."""
        batch, lb = letterbox(image, self.size)
        (raw,) = self.model.run(batch[None])
        pred = raw[0].T  # (anchors, 4 + classes): centre x, centre y, width, height, class scores
        scores = pred[:, 4:]
        cls = scores.argmax(axis=1)
        best = scores[np.arange(len(cls)), cls]
        keep = best >= conf
        if not keep.any():
            return []
        xywh, cls, best = pred[keep, :4], cls[keep], best[keep]  # in pixels of the letterboxed input
        xyxy = np.concatenate([xywh[:, :2] - xywh[:, 2:] / 2, xywh[:, :2] + xywh[:, 2:] / 2], axis=1)
        # Class-wise NMS in one pass: shift each class's boxes far apart so they never overlap.
        offset = cls[:, None] * (4.0 * self.size)
        kept = nms(xyxy + offset, best, iou)[:max_det]
        photo = lb.to_photo(xyxy[kept], *image.size)
        return [
            Box(self.classes[int(c)], float(s), *map(float, b))
            for c, s, b in zip(cls[kept], best[kept], photo, strict=True)
        ]


garment_detector = register("garment_detector", GarmentDetector.from_entry)
