"""Boxes and the NumPy geometry the run-time path needs: IoU, non-maximum suppression, letterboxing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

LETTERBOX_FILL = (114, 114, 114)  # ultralytics' padding colour, which the detector trained with


def rgb(image: Image.Image) -> Image.Image:
    """The image in RGB, without copying one that already is (a 1600 px photo costs milliseconds to copy)."""
    return image if image.mode == "RGB" else image.convert("RGB")


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

    def clipped(self, width: int, height: int) -> Box:
        """The box cut to a photo of `width` x `height`."""
        x1, x2 = min(max(self.x1, 0.0), width), min(max(self.x2, 0.0), width)
        y1, y2 = min(max(self.y1, 0.0), height), min(max(self.y2, 0.0), height)
        return Box(self.label, self.score, x1, y1, x2, y2)


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

    def points_to_photo(self, points: np.ndarray) -> np.ndarray:
        """Points (..., 2) in model-input pixels, as photo pixels (not clipped: a joint may lie outside)."""
        points = np.asarray(points, np.float64)
        return np.stack([(points[..., 0] - self.pad_x) / self.scale, (points[..., 1] - self.pad_y) / self.scale], -1)


def letterbox(
    image: Image.Image, size: int, fill: tuple[int, int, int] = LETTERBOX_FILL
) -> tuple[np.ndarray, Letterbox]:
    """The photo resized to fit `size` x `size`, centred on `fill`, as float32 in [0, 1] (HWC)."""
    w, h = image.size
    scale = min(size / w, size / h)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    canvas = Image.new("RGB", (size, size), fill)
    pad_x, pad_y = (size - nw) // 2, (size - nh) // 2
    canvas.paste(rgb(image.resize((nw, nh), Image.Resampling.BILINEAR)), (pad_x, pad_y))
    return np.asarray(canvas, np.float32) / 255.0, Letterbox(scale, pad_x, pad_y)


SQUARE_FILL = (128, 128, 128)
CROP_MARGIN = 0.08  # share of the box added on every side: some context around it


def square_crop(
    image: Image.Image,
    box: tuple[float, float, float, float] | None,
    size: int,
    blank: Sequence[tuple[float, float, float, float]] = (),
) -> np.ndarray:
    """A box (or the whole photo) with a margin, padded to a square, as float32 [0, 1]; the `blank`
    boxes (other garments') are filled where they reach it, overlap with `box` too, so that the
    crop shows this garment and not its neighbours through the margin."""
    return fit_crop(image, box, size, size, blank)


def crop_window(image_size: tuple[int, int], box: tuple[float, float, float, float] | None) -> tuple[int, ...]:
    """The pixels a crop of `box` takes: the box with its margin, inside the photo."""
    w, h = image_size
    x1, y1, x2, y2 = box if box is not None else (0, 0, w, h)
    mx, my = (x2 - x1) * CROP_MARGIN, (y2 - y1) * CROP_MARGIN
    x1, y1, x2, y2 = max(0, x1 - mx), max(0, y1 - my), min(w, x2 + mx), min(h, y2 + my)
    return round(x1), round(y1), round(x2), round(y2)


def fit_crop(
    image: Image.Image,
    box: tuple[float, float, float, float] | None,
    height: int,
    width: int,
    blank: Sequence[tuple[float, float, float, float]] = (),
) -> np.ndarray:
    """A box (or the whole photo) with a margin, padded to the shape's aspect ratio, as float32 [0, 1];
    the `blank` boxes filled where they reach it."""
    x1, y1, x2, y2 = window = crop_window(image.size, box)
    crop = rgb(image.crop(window))  # a new image: the photo itself is never painted
    for o in blank:
        if o[0] < x2 and o[2] > x1 and o[1] < y2 and o[3] > y1:
            left, top = round(max(o[0], x1)) - x1, round(max(o[1], y1)) - y1
            crop.paste(SQUARE_FILL, (left, top, round(min(o[2], x2)) - x1, round(min(o[3], y2)) - y1))
    scale = max(crop.width / width, crop.height / height)
    canvas_w, canvas_h = max(crop.width, round(width * scale)), max(crop.height, round(height * scale))
    canvas = Image.new("RGB", (canvas_w, canvas_h), SQUARE_FILL)
    canvas.paste(crop, ((canvas_w - crop.width) // 2, (canvas_h - crop.height) // 2))
    return np.asarray(canvas.resize((width, height), Image.Resampling.BILINEAR), np.float32) / 255.0


def pixel_affine(data: tuple[float, ...]) -> tuple[float, ...]:
    """Pillow's AFFINE data for a map between pixel indices (OpenCV's warp convention, which MediaPipe uses).

    Pillow maps pixel centres (index + 0.5) instead; the two differ by half a pixel of each image,
    and the models' keypoints move by several pixels with it.
    """
    a, b, c, d, e, f = data
    return a, b, c + 0.5 - (a + b) / 2, d, e, f + 0.5 - (d + e) / 2


def masked_crop(
    image: Image.Image,
    box: tuple[float, float, float, float],
    mask_over: Callable[[tuple[int, ...], int, int], np.ndarray],
    background: tuple[int, int, int],
) -> Image.Image:
    """The crop of `box` (with its margin) where every pixel off the person is `background`.

    `mask_over(window, width, height)` gives the person probability over a photo window.
    """
    window = crop_window(image.size, box)
    crop = rgb(image.crop(window))
    alpha = np.clip(mask_over(window, crop.width, crop.height), 0.0, 1.0)
    plain = Image.new("RGB", crop.size, background)
    return Image.composite(crop, plain, Image.fromarray((alpha * 255).astype(np.uint8), mode="L"))
