"""Garment detection at run time: the YOLOv5u TFLite model, letterboxing, decoding and NMS in NumPy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from .boxes import Box, letterbox, nms
from .litert import TFLiteModel

CLASSES = ("topwear", "bottomwear", "footwear", "person")


class GarmentDetector:
    """Finds topwear, bottomwear, footwear (and the person) in a photo."""

    def __init__(self, model_path: Path, classes: tuple[str, ...] = CLASSES, threads: int = 1):
        self.model = TFLiteModel(model_path, threads)
        self.size = self.model.input_shape[1]
        self.classes = classes

    def detect(self, image: Image.Image, conf: float = 0.25, iou: float = 0.5, max_det: int = 50) -> list[Box]:
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
