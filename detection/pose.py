"""A person and their pose as BlazePose gives them: the 33 landmarks' numbers, the crop around a person, the mask.

Geometry only; the models that find people and read their poses are in detection/models/pose.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from .boxes import Box, pixel_affine

# The landmarks the look uses, by MediaPipe's numbering ("left" is the person's own left).
NOSE, LEFT_EYE, RIGHT_EYE, LEFT_EAR, RIGHT_EAR = 0, 2, 5, 7, 8
LEFT_SHOULDER, RIGHT_SHOULDER, LEFT_ELBOW, RIGHT_ELBOW, LEFT_WRIST, RIGHT_WRIST = 11, 12, 13, 14, 15, 16
LEFT_HIP, RIGHT_HIP, LEFT_KNEE, RIGHT_KNEE, LEFT_ANKLE, RIGHT_ANKLE = 23, 24, 25, 26, 27, 28
LEFT_HEEL, RIGHT_HEEL, LEFT_TOE, RIGHT_TOE = 29, 30, 31, 32
LANDMARKS = 33


@dataclass(frozen=True)
class Roi:
    """A square crop of the photo turned by `angle`: what the landmark model (or a face model) reads."""

    cx: float
    cy: float
    side: float
    angle: float

    @classmethod
    def around(cls, hips: tuple[float, float], crown: tuple[float, float], scale: float) -> Roi:
        """The upright square around a person: centred on the hips, twice the hips-to-crown distance, enlarged."""
        (hx, hy), (cx, cy) = hips, crown
        angle = math.pi / 2 - math.atan2(-(cy - hy), cx - hx)
        angle = angle - 2 * math.pi * math.floor((angle + math.pi) / (2 * math.pi))
        return cls(hx, hy, 2 * math.dist(hips, crown) * scale, angle)

    def affine(self, size: int) -> tuple[float, ...]:
        """Pillow's AFFINE data: for each pixel of the `size` crop, where it samples the photo."""
        k = self.side / size
        cos, sin = math.cos(self.angle), math.sin(self.angle)
        half = self.side / 2
        return pixel_affine(
            (cos * k, -sin * k, self.cx - half * (cos - sin), sin * k, cos * k, self.cy - half * (sin + cos))
        )

    def to_photo(self, uv: np.ndarray) -> np.ndarray:
        """Points in [0, 1] of the crop as photo pixels."""
        du, dv = (uv[..., 0] - 0.5) * self.side, (uv[..., 1] - 0.5) * self.side
        cos, sin = math.cos(self.angle), math.sin(self.angle)
        return np.stack([self.cx + cos * du - sin * dv, self.cy + sin * du + cos * dv], axis=-1)


@dataclass(frozen=True)
class Person:
    """A person the detector found: a score, the hips' centre, a point above the head, and the crop to read."""

    score: float
    hips: tuple[float, float]
    crown: tuple[float, float]
    roi: Roi

    @classmethod
    def from_box(cls, box: Box) -> Person:
        """A person known only by a box (from the garment detector): the crop covers the box, upright."""
        cx, cy = (box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2
        side = max(box.width, box.height) * 1.1
        return cls(box.score, (cx, cy), (cx, cy - side / 2), Roi(cx, cy, side, 0.0))

    @property
    def box(self) -> Box:
        """A rough box around the whole person: the circle the detector's two keypoints span."""
        radius = math.dist(self.hips, self.crown)
        (x, y) = self.hips
        return Box("person", self.score, x - radius * 0.5, y - radius, x + radius * 0.5, y + radius)


@dataclass(frozen=True)
class Pose:
    """33 landmarks in photo pixels, how visible each is (0..1), and the person mask in the crop."""

    points: np.ndarray  # (33, 2)
    visibility: np.ndarray  # (33,)
    score: float  # the model's own belief that a person is in the crop
    roi: Roi
    mask: np.ndarray  # (S, S) person logits over the crop (sigmoid after resampling: cheaper)

    def seen(self, landmark: int, threshold: float = 0.5) -> bool:
        return bool(self.visibility[landmark] >= threshold)

    def mask_over(self, box: tuple[float, float, float, float], width: int, height: int) -> np.ndarray:
        """The person mask resampled over a photo box, as a (height, width) array of probabilities."""
        x1, y1, x2, y2 = box
        size = self.mask.shape[0]
        sx, sy = (x2 - x1) / width, (y2 - y1) / height
        cos, sin = math.cos(self.roi.angle), math.sin(self.roi.angle)
        k = size / self.roi.side
        # For each output pixel: its photo point, then the crop pixel that point falls on.
        ox, oy = x1 - self.roi.cx, y1 - self.roi.cy
        data = pixel_affine(
            (
                k * cos * sx,
                k * sin * sy,
                k * (cos * ox + sin * oy) + size / 2,
                -k * sin * sx,
                k * cos * sy,
                k * (-sin * ox + cos * oy) + size / 2,
            )
        )
        image = Image.fromarray(self.mask.astype(np.float32), mode="F")
        logits = np.asarray(image.transform((width, height), Image.Transform.AFFINE, data, Image.Resampling.BILINEAR))
        # Outside the crop the transform fills 0, a logit of even odds: call it background.
        inside = np.asarray(
            Image.new("F", self.mask.shape[::-1], 1.0).transform(
                (width, height), Image.Transform.AFFINE, data, Image.Resampling.NEAREST
            )
        )
        return sigmoid(logits) * inside


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -60, 60)))
