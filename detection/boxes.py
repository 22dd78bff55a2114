"""Boxes and the NumPy geometry the run-time path needs: IoU, non-maximum suppression, letterboxing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

LETTERBOX_FILL = (114, 114, 114)  # ultralytics' padding colour, which the detector trained with


@dataclass(frozen=True)
class Box:
    """A detection in the pixel coordinates of the photo it was found in."""

    label: str
    score: float
    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def width(self) -> float:
        return self.x2 - self.x1

    @property
    def height(self) -> float:
        return self.y2 - self.y1

    def as_tuple(self) -> tuple[float, float, float, float]:
        return self.x1, self.y1, self.x2, self.y2


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of every box in `a` (N x 4, x1 y1 x2 y2) with every box in `b` (M x 4)."""
    a = np.asarray(a, np.float64).reshape(-1, 4)
    b = np.asarray(b, np.float64).reshape(-1, 4)
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.clip(rb - lt, 0, None).prod(axis=2)
    area_a = np.clip(a[:, 2:] - a[:, :2], 0, None).prod(axis=1)
    area_b = np.clip(b[:, 2:] - b[:, :2], 0, None).prod(axis=1)
    return inter / np.maximum(area_a[:, None] + area_b[None, :] - inter, 1e-12)


def nms(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float) -> np.ndarray:
    """Indices of the boxes greedy non-maximum suppression keeps, best first."""
    order = np.argsort(-np.asarray(scores), kind="stable")
    keep: list[int] = []
    while order.size:
        best = order[0]
        keep.append(int(best))
        if order.size == 1:
            break
        overlap = iou_matrix(boxes[best], boxes[order[1:]])[0]
        order = order[1:][overlap <= iou_threshold]
    return np.array(keep, dtype=np.int64)


@dataclass(frozen=True)
class Letterbox:
    """How a photo was scaled and padded into the model's square input."""

    scale: float
    pad_x: float
    pad_y: float

    def to_photo(self, xyxy: np.ndarray, width: int, height: int) -> np.ndarray:
        out = np.asarray(xyxy, np.float64).copy()
        out[:, [0, 2]] = np.clip((out[:, [0, 2]] - self.pad_x) / self.scale, 0, width)
        out[:, [1, 3]] = np.clip((out[:, [1, 3]] - self.pad_y) / self.scale, 0, height)
        return out


def letterbox(image: Image.Image, size: int) -> tuple[np.ndarray, Letterbox]:
    """The photo resized to fit `size` x `size`, centred on grey, as float32 in [0, 1] (HWC)."""
    w, h = image.size
    scale = min(size / w, size / h)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    canvas = Image.new("RGB", (size, size), LETTERBOX_FILL)
    pad_x, pad_y = (size - nw) // 2, (size - nh) // 2
    canvas.paste(image.convert("RGB").resize((nw, nh), Image.Resampling.BILINEAR), (pad_x, pad_y))
    return np.asarray(canvas, np.float32) / 255.0, Letterbox(scale, pad_x, pad_y)


SQUARE_FILL = (128, 128, 128)
CROP_MARGIN = 0.08  # share of the box added on every side: some context around it


def square_crop(image: Image.Image, box: tuple[float, float, float, float] | None, size: int) -> np.ndarray:
    """A box (or the whole photo) with a margin, padded to a square, as float32 [0, 1]."""
    return fit_crop(image, box, size, size)


def fit_crop(image: Image.Image, box: tuple[float, float, float, float] | None, height: int, width: int) -> np.ndarray:
    """A box (or the whole photo) with a margin, padded to the shape's aspect ratio, as float32 [0, 1]."""
    w, h = image.size
    x1, y1, x2, y2 = box if box is not None else (0, 0, w, h)
    mx, my = (x2 - x1) * CROP_MARGIN, (y2 - y1) * CROP_MARGIN
    x1, y1, x2, y2 = max(0, x1 - mx), max(0, y1 - my), min(w, x2 + mx), min(h, y2 + my)
    crop = image.convert("RGB").crop((round(x1), round(y1), round(x2), round(y2)))
    scale = max(crop.width / width, crop.height / height)
    canvas_w, canvas_h = max(crop.width, round(width * scale)), max(crop.height, round(height * scale))
    canvas = Image.new("RGB", (canvas_w, canvas_h), SQUARE_FILL)
    canvas.paste(crop, ((canvas_w - crop.width) // 2, (canvas_h - crop.height) // 2))
    return np.asarray(canvas.resize((width, height), Image.Resampling.BILINEAR), np.float32) / 255.0
