"""People and their poses, at run time: MediaPipe's BlazePose detector and full landmark model in TFLite.

The detector finds each person by face and body (one detection per person, with keypoints at the
hips' centre and above the head); the landmark model then reads 33 body landmarks, heels and toes
included, and a person mask, from a square crop turned upright around that person.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from .boxes import Box, pixel_affine, rgb
from .litert import TFLiteModel
from .registry import ModelEntry, register
from .ssd import anchor_centres, detect

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
        return _sigmoid(logits) * inside


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -60, 60)))


class PersonDetector:
    """Everybody in a photo, by the BlazePose detector (face and body), with the crop each one's pose is read from."""

    def __init__(self, model_path: Path, info: dict, threads: int = 1):
        self.model = TFLiteModel(model_path, threads)
        self.size = int(info["input_size"][0])
        self.threshold = float(info["score_threshold"])
        self.anchors = anchor_centres(self.size, info["anchors"]["strides"], info["anchors"]["per_cell"])
        self.roi_scale = float(info["roi_scale"])

    @classmethod
    def from_entry(cls, entry: ModelEntry) -> PersonDetector:
        return cls(entry.path, entry.info)

    def people(self, image: Image.Image) -> list[Person]:
        """Everybody the detector finds, best first."""
        found = []
        for d in detect(self.model, image, self.size, self.anchors, self.threshold):
            hips, crown = ((float(x), float(y)) for x, y in d.keypoints[:2])
            found.append(Person(d.score, hips, crown, Roi.around(hips, crown, self.roi_scale)))
        return found


class PoseLandmarker:
    """The pose of one person: 33 landmarks and a person mask from the BlazePose full landmark model."""

    def __init__(self, model_path: Path, info: dict, threads: int = 1):
        self.model = TFLiteModel(model_path, threads)
        self.size = int(info["input_size"][0])
        self.threshold = float(info["score_threshold"])

    @classmethod
    def from_entry(cls, entry: ModelEntry) -> PoseLandmarker:
        return cls(entry.path, entry.info, threads=2)

    def pose(self, image: Image.Image, person: Person) -> Pose | None:
        """The person's landmarks, or None when the landmark model sees nobody in the crop."""
        roi = person.roi
        crop = rgb(image).transform(
            (self.size, self.size), Image.Transform.AFFINE, roi.affine(self.size), Image.Resampling.BILINEAR
        )
        pixels = (np.asarray(crop, np.float32) / 255.0)[None]
        raw, flag, mask, heatmap = self.model.run_named(pixels, "Identity", "Identity_1", "Identity_2", "Identity_3")
        score = float(np.ravel(flag)[0])
        if score < self.threshold:
            return None
        values = raw.reshape(-1, 5)[:LANDMARKS]
        uv = _refined(values[:, :2] / self.size, heatmap[0])
        return Pose(roi.to_photo(uv), _sigmoid(values[:, 3]), score, roi, mask[0, :, :, 0])


def _refined(uv: np.ndarray, logits: np.ndarray, kernel: int = 7, confidence: float = 0.5) -> np.ndarray:
    """Landmarks moved to the weighted centre of their heatmap peak, as MediaPipe refines them.

    `logits` is the model's (rows, cols, landmarks) heatmap before its sigmoid, which is taken
    over each landmark's window only.
    """
    rows, cols = logits.shape[:2]
    out = uv.copy()
    half = kernel // 2
    for i, (u, v) in enumerate(uv):
        col, row = int(u * cols), int(v * rows)
        if not (0 <= col < cols and 0 <= row < rows):
            continue
        window = _sigmoid(logits[max(0, row - half) : row + half + 1, max(0, col - half) : col + half + 1, i])
        if window.max() < confidence:
            continue
        ys, xs = np.mgrid[
            max(0, row - half) : max(0, row - half) + window.shape[0],
            max(0, col - half) : max(0, col - half) + window.shape[1],
        ]
        total = window.sum()
        out[i] = ((xs * window).sum() / total / cols, (ys * window).sum() / total / rows)
    return out


person_detector = register("pose_detector", PersonDetector.from_entry)
pose_landmarker = register("pose_landmarks", PoseLandmarker.from_entry)
