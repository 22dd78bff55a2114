"""SSD-style anchors, box decoding and weighted NMS, as MediaPipe's BlazeFace and BlazePose detectors need.

Both detectors predict, for every anchor, a box centre offset, a box size and keypoints, all in
pixels of their square input, plus a score logit. Their anchors have a fixed unit size, so only
anchor centres matter. See docs/architecture.md for where these models come from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from .boxes import Letterbox, iou_matrix, pixel_affine, rgb


def anchor_centres(input_size: int, strides: Sequence[int], per_cell: Sequence[int]) -> np.ndarray:
    """(N, 2) anchor centres in [0, 1], grid by grid, row by row, `per_cell[i]` repeats of each centre."""
    centres = []
    for stride, repeats in zip(strides, per_cell, strict=True):
        cells = -(-input_size // stride)  # ceil
        ys, xs = np.mgrid[0:cells, 0:cells]
        grid = np.stack([(xs.ravel() + 0.5) / cells, (ys.ravel() + 0.5) / cells], axis=1)
        centres.append(np.repeat(grid, repeats, axis=0))
    return np.concatenate(centres).astype(np.float32)


def signed_input(image: Image.Image, size: int) -> tuple[np.ndarray, Letterbox]:
    """The photo letterboxed on black into a `size` square, as a batch of one in [-1, 1] (padding is -1).

    One affine warp with plain bilinear sampling and no antialiasing, as MediaPipe feeds these
    models: a smoothed downscale shifts their keypoints by several pixels.
    """
    scale = size / max(image.width, image.height)
    box = Letterbox(scale, (size - image.width * scale) / 2, (size - image.height * scale) / 2)
    data = pixel_affine((1 / scale, 0.0, -box.pad_x / scale, 0.0, 1 / scale, -box.pad_y / scale))
    warped = rgb(image).transform((size, size), Image.Transform.AFFINE, data, Image.Resampling.BILINEAR)
    return (np.asarray(warped, np.float32) * (2.0 / 255.0) - 1.0)[None], box


@dataclass(frozen=True)
class Detection:
    """One detection: box (x1, y1, x2, y2), score and keypoints (K, 2), in [0, 1] of the input or in photo pixels."""

    box: np.ndarray
    score: float
    keypoints: np.ndarray


def decode(raw: np.ndarray, logits: np.ndarray, anchors: np.ndarray, size: int, threshold: float) -> list[Detection]:
    """Detections scoring at least `threshold`, before NMS; `raw` holds (cx, cy, w, h, kx0, ky0, ...) per anchor."""
    scores = 1.0 / (1.0 + np.exp(-np.clip(logits.reshape(-1), -80, 80)))  # float32 exp overflows past ~88
    keep = np.flatnonzero(scores >= threshold)
    out = []
    for i in keep:
        r = raw[i] / size
        cx, cy = r[0] + anchors[i, 0], r[1] + anchors[i, 1]
        w, h = r[2], r[3]
        if not (w > 0 and h > 0):
            continue
        keypoints = r[4:].reshape(-1, 2) + anchors[i]
        out.append(Detection(np.array([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]), float(scores[i]), keypoints))
    return out


def weighted_nms(detections: list[Detection], iou_threshold: float = 0.3) -> list[Detection]:
    """MediaPipe's blending NMS: each kept detection averages the boxes and keypoints it overlaps, by score."""
    remaining = sorted(detections, key=lambda d: d.score, reverse=True)
    kept = []
    while remaining:
        top = remaining[0]
        overlap = iou_matrix(top.box, np.stack([d.box for d in remaining]))[0]
        group = [d for d, o in zip(remaining, overlap, strict=True) if o > iou_threshold]
        remaining = [d for d, o in zip(remaining, overlap, strict=True) if o <= iou_threshold]
        weights = np.array([d.score for d in group])[:, None]
        box = (np.stack([d.box for d in group]) * weights).sum(0) / weights.sum()
        keypoints = (np.stack([d.keypoints for d in group]) * weights[:, :, None]).sum(0) / weights.sum()
        kept.append(Detection(box, top.score, keypoints))
    return kept


def detect(model, image: Image.Image, size: int, anchors: np.ndarray, threshold: float) -> list[Detection]:
    """Run a MediaPipe SSD detector on a photo: its detections after NMS, boxes and keypoints in photo pixels."""
    pixels, letterbox = signed_input(image, size)
    raw, logits = model.run_named(pixels, "Identity", "Identity_1")
    return [
        Detection(
            letterbox.points_to_photo(d.box.reshape(2, 2) * size).reshape(4),
            d.score,
            letterbox.points_to_photo(d.keypoints * size),
        )
        for d in weighted_nms(decode(raw[0], logits[0], anchors, size, threshold))
    ]
