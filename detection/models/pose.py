"""People and their poses, at run time: MediaPipe's BlazePose detector and full landmark model in TFLite.

The detector finds each person by face and body (one detection per person, with keypoints at the
hips' centre and above the head); the landmark model then reads 33 body landmarks, heels and toes
included, and a person mask, from a square crop turned upright around that person. What they
give (Person, Pose, the landmark numbers) is geometry, in detection/pose.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from ..boxes import rgb
from ..litert import TFLiteModel
from ..pose import LANDMARKS, Person, Pose, Roi, sigmoid
from ..registry import ModelEntry, register
from ..ssd import anchor_centres, detect


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

    def predict(self, image: Image.Image) -> list[Person]:
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

    def predict(self, image: Image.Image, person: Person) -> Pose | None:
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
        return Pose(roi.to_photo(uv), sigmoid(values[:, 3]), score, roi, mask[0, :, :, 0])


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
        window = sigmoid(logits[max(0, row - half) : row + half + 1, max(0, col - half) : col + half + 1, i])
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
