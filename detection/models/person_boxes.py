"""People (and what else COCO names) as boxes: NanoDet-m, a detector trained on real photos of COCO's 80 classes.

BlazePose's detector is built for one person near the camera and the garment detector learned
"person" from rendered figures; this one has seen people at every size in street and group photos,
and dogs, horses and fruit beside them, so it tells a person from what only looks like one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from ..boxes import Box, letterbox, nms
from ..litert import TFLiteModel
from ..registry import ModelEntry, register

PERSON = "person"
# What a garment detector or a pose model trained on people takes for one: animals, fruit and food, a
# teddy bear. Only these veto a person; a low "bed" or "cup" guess over a figure it cannot read does not.
MISTAKEN_FOR_PEOPLE = frozenset(
    [
        "bird",
        "cat",
        "dog",
        "horse",
        "sheep",
        "cow",
        "elephant",
        "bear",
        "zebra",
        "giraffe",
        "banana",
        "apple",
        "sandwich",
        "orange",
        "broccoli",
        "carrot",
        "hot-dog",
        "pizza",
        "donut",
        "cake",
        "bowl",
        "teddy-bear",
    ]
)


class PersonBoxes:
    """NanoDet-m over a letterboxed photo, decoded (distance bins, per-class NMS) in NumPy."""

    def __init__(self, model_path: Path, classes: tuple[str, ...], strides: tuple[int, ...], bins: int, threads=2):
        self.model = TFLiteModel(model_path, threads)
        self.size = self.model.input_shape[1]
        self.classes, self.strides, self.bins = classes, strides, bins

    @classmethod
    def from_entry(cls, entry: ModelEntry) -> PersonBoxes:
        return cls(entry.path, entry.classes, tuple(entry.info["strides"]), entry.info["distance_bins"])

    def predict(self, image: Image.Image, conf: float = 0.25, iou: float = 0.5) -> list[Box]:
        """Every object at least `conf` sure, in photo pixels, best first."""
        batch, lb = letterbox(image, self.size, fill=(0, 0, 0))
        outputs = self.model.run(batch[None])
        xyxy, scores = [], []
        for stride in self.strides:
            side = self.size // stride
            cells = side * side
            # Outputs are told apart by shape: a stride's class scores, then its distance logits.
            score = next(o[0] for o in outputs if o.shape[1:] == (cells, len(self.classes)))
            dist = next(o[0] for o in outputs if o.shape[1:] == (cells, 4 * self.bins))
            keep = np.flatnonzero(score.max(axis=1) >= conf)
            if not keep.size:
                continue
            logits = dist[keep].reshape(-1, 4, self.bins)
            p = np.exp(logits - logits.max(axis=2, keepdims=True))
            p /= p.sum(axis=2, keepdims=True)
            reach = (p * np.arange(self.bins)).sum(axis=2) * stride  # left, top, right, bottom
            ys, xs = np.divmod(keep, side)
            cx, cy = (xs + 0.5) * stride, (ys + 0.5) * stride
            xyxy.append(np.stack([cx - reach[:, 0], cy - reach[:, 1], cx + reach[:, 2], cy + reach[:, 3]], axis=1))
            scores.append(score[keep])
        if not xyxy:
            return []
        boxes, score = np.concatenate(xyxy), np.concatenate(scores)
        cls = score.argmax(axis=1)
        best = score[np.arange(len(cls)), cls]
        kept = nms(boxes + cls[:, None] * (4.0 * self.size), best, iou)
        photo = lb.to_photo(boxes[kept], *image.size)
        return [
            Box(self.classes[int(c)], float(s), *map(float, b))
            for c, s, b in zip(cls[kept], best[kept], photo, strict=True)
        ]


person_boxes = register("person_boxes", PersonBoxes.from_entry)
