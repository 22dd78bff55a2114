"""What a pose says about an outfit: which body parts are in the photo, the shot, the facing, and garment regions.

Pure geometry on the 33 BlazePose landmarks, no model runs here. The full-shot check follows the
Myntra study of fashion photos: a photo is a full shot when the head, the torso, the legs and the
feet are all visible; a garment is looked for only where its part of the body is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import pose as lm
from .boxes import Box
from .pose import Pose
from .taxonomy import CATEGORIES

VISIBLE = 0.5  # landmark visibility above which a joint counts as seen
# ... and above which it counts as half seen: a garment there is reported only when the detector
# finds it too (the pose model doubts the stick legs of drawn figures, and legs behind a table).
HALF_SEEN = 0.3
# The body part each garment category is worn on (the BodyParts field that says it is in the photo);
# a category worn on no part (a bag) is not in it.
WORN_ON = {c.name: c.worn_on for c in CATEGORIES if c.worn_on is not None}
FOOT_POINTS = (lm.LEFT_ANKLE, lm.RIGHT_ANKLE, lm.LEFT_HEEL, lm.RIGHT_HEEL, lm.LEFT_TOE, lm.RIGHT_TOE)
SLACK = 0.15  # share of a pose region's size by which it is grown before a detector box is compared
IN_REGION = 0.6  # share of a detector box that must lie in the (grown) pose region
ON_PERSON = 0.75  # share of a detector box that must lie on the person's box


@dataclass(frozen=True)
class BodyParts:
    """Which parts of a person the photo shows."""

    head: bool
    torso: bool
    legs: bool  # hips and knees
    feet: bool

    def shows(self, category: str) -> bool:
        """Whether the part of the body `category` is worn on is in the photo."""
        return getattr(self, WORN_ON[category])

    @property
    def shot(self) -> str:
        """'full shot', 'three-quarter' (cut above the feet), 'upper body', 'lower body' or 'partial'."""
        if self.head and self.torso and self.legs and self.feet:
            return "full shot"
        if self.torso and self.legs:
            return "three-quarter"
        if self.torso:
            return "upper body"
        if self.legs or self.feet:
            return "lower body"
        return "partial"


def _seen(pose: Pose, index: int, width: int, height: int, threshold: float = VISIBLE) -> bool:
    """A landmark the model is sure of and that lies inside the photo (the model also guesses joints out of frame)."""
    x, y = pose.points[index]
    return pose.visibility[index] >= threshold and 0 <= x < width and 0 <= y < height


def body_parts(pose: Pose, width: int, height: int, threshold: float = VISIBLE) -> BodyParts:
    def any_seen(*indices: int) -> bool:
        return any(_seen(pose, i, width, height, threshold) for i in indices)

    return BodyParts(
        head=any_seen(lm.NOSE, lm.LEFT_EYE, lm.RIGHT_EYE),
        torso=any_seen(lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER),
        legs=any_seen(lm.LEFT_HIP, lm.RIGHT_HIP) and any_seen(lm.LEFT_KNEE, lm.RIGHT_KNEE),
        feet=any_seen(*FOOT_POINTS),
    )


def facing(pose: Pose, face_found: bool) -> str:
    """'front', 'back' or 'side', from how wide and which way round the shoulders are."""
    left, right = pose.points[lm.LEFT_SHOULDER], pose.points[lm.RIGHT_SHOULDER]
    hips = (pose.points[lm.LEFT_HIP] + pose.points[lm.RIGHT_HIP]) / 2
    torso = float(np.linalg.norm((left + right) / 2 - hips)) or 1.0
    if abs(left[0] - right[0]) < 0.3 * torso:
        return "side"
    # Seen from the front, the person's left shoulder is on the photo's right.
    if left[0] > right[0]:
        return "front"
    return "front" if face_found else "back"


def _extent(points: np.ndarray) -> tuple[float, float, float, float]:
    return float(points[:, 0].min()), float(points[:, 1].min()), float(points[:, 0].max()), float(points[:, 1].max())


def _torso(pose: Pose, torso: float, width: int, height: int, threshold: float) -> tuple:
    p = pose.points
    hips = p[[lm.LEFT_HIP, lm.RIGHT_HIP]]
    x1, y1, x2, y2 = _extent(
        p[[lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER, lm.LEFT_HIP, lm.RIGHT_HIP, lm.LEFT_ELBOW, lm.RIGHT_ELBOW]]
    )
    pad = 0.12 * torso
    return (x1 - pad, y1 - 0.12 * torso, x2 + pad, max(y2, hips[:, 1].max()) + 0.12 * torso)


def _legs(pose: Pose, torso: float, width: int, height: int, threshold: float) -> tuple:
    p = pose.points
    hips = p[[lm.LEFT_HIP, lm.RIGHT_HIP]]
    ankles = [i for i in (lm.LEFT_ANKLE, lm.RIGHT_ANKLE) if _seen(pose, i, width, height, threshold)]
    x1, _, x2, y2 = _extent(p[[lm.LEFT_HIP, lm.RIGHT_HIP, lm.LEFT_KNEE, lm.RIGHT_KNEE, *ankles]])
    pad = 0.15 * torso
    return (x1 - pad, hips[:, 1].min() - 0.1 * torso, x2 + pad, y2 + (0.05 if ankles else 0.3) * torso)


def _feet(pose: Pose, torso: float, width: int, height: int, threshold: float) -> tuple:
    p = pose.points
    x1, y1, x2, y2 = _extent(p[[i for i in FOOT_POINTS if _seen(pose, i, width, height, threshold)]])
    pad = 0.12 * torso
    return (x1 - pad, y1 - pad, x2 + pad, y2 + pad)


# The region of each body part a garment is worn on (taxonomy.BODY_PARTS), from its landmarks.
PART_REGIONS = {"torso": _torso, "legs": _legs, "feet": _feet}


def pose_regions(pose: Pose, parts: BodyParts, width: int, height: int, threshold: float = VISIBLE) -> dict[str, Box]:
    """A box for each garment category whose body part is visible, from the landmarks alone."""
    p = pose.points
    # The torso's length scales every pad: it does not change with the shot's framing.
    torso = float(
        np.linalg.norm(p[[lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER]].mean(0) - p[[lm.LEFT_HIP, lm.RIGHT_HIP]].mean(0))
    )
    return {
        c: Box(c, 0.0, *PART_REGIONS[part](pose, torso or 1.0, width, height, threshold)).clipped(width, height)
        for c, part in WORN_ON.items()
        if getattr(parts, part)
    }


def tightened(region: Box, mask: np.ndarray, threshold: float = 0.5, margin: float = 0.04) -> Box:
    """The region shrunk to the person mask inside it (never grown): less background in the crop.

    `mask` is the person probability resampled over the region, one value per pixel.
    """
    rows, cols = np.flatnonzero((mask >= threshold).any(1)), np.flatnonzero((mask >= threshold).any(0))
    if rows.size == 0 or cols.size == 0:
        return region
    h, w = mask.shape
    sx, sy = region.width / w, region.height / h
    mx, my = margin * region.width, margin * region.height
    return Box(
        region.label,
        region.score,
        max(region.x1, region.x1 + cols[0] * sx - mx),
        max(region.y1, region.y1 + rows[0] * sy - my),
        min(region.x2, region.x1 + (cols[-1] + 1) * sx + mx),
        min(region.y2, region.y1 + (rows[-1] + 1) * sy + my),
    )


def _share_inside(box: Box, outer: Box) -> float:
    """How much of `box`'s area lies inside `outer`."""
    w = max(0.0, min(box.x2, outer.x2) - max(box.x1, outer.x1))
    h = max(0.0, min(box.y2, outer.y2) - max(box.y1, outer.y1))
    return w * h / max(box.width * box.height, 1e-9)


def agrees(box: Box, region: Box, person: Box) -> bool:
    """A detector box is the garment of a pose region when it sits in the region and on the person.

    Most of it must lie in the region (grown by some slack) and on the person: the detector's box
    is usually the tighter, truer one (it sees the garment's edges, the pose sees joints), but a
    box that also covers the head, spans two people or was found on a chair is not this garment.
    """
    sx, sy = SLACK * region.width, SLACK * region.height
    grown = Box(region.label, 0.0, region.x1 - sx, region.y1 - sy, region.x2 + sx, region.y2 + sy)
    return _share_inside(box, grown) >= IN_REGION and _share_inside(box, person) >= ON_PERSON


def fused(
    regions: dict[str, Box], detected: dict[str, Box], person: Box, half_seen: frozenset[str] = frozenset()
) -> list[tuple[Box, str]]:
    """Each visible garment once: the detector's box where it agrees with the pose region, else the region.

    Returns (box, source) pairs, source "detector" or "pose". A detector box whose body part is not
    visible is dropped: a shoe found on a chair is not a shoe worn by the person. A garment whose
    part is only half seen (`half_seen`) needs both: the detector's box, agreeing with the region. A
    category worn on no body part (not in WORN_ON) has no region to agree with: its box is kept as found.
    """
    out = []
    for category, region in regions.items():
        box = detected.get(category)
        if box is not None and agrees(box, region, person):
            out.append((box, "detector"))
        elif category not in half_seen:
            out.append((region, "pose"))
    return out + [(box, "detector") for category, box in detected.items() if category not in WORN_ON]
