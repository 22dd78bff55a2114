"""Whose outfit it is: the gender read from the body when it is nearly sure, else from the face.

The policy (`read_gender`), the face that belongs to a person, and a second look for small faces.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from .boxes import Box
from .models.faces import Face
from .pose import LEFT_SHOULDER, NOSE, RIGHT_SHOULDER, Pose

FACE_SURE = 0.2  # a face model's P(women) at least this far from 0.5 is a vote

FACE_LEANS = 0.1  # ... and this far, a lean that vetoes a vote the other way

BODY_SURE = 0.3  # the body classifier, trained on synthetic figures, decides only when this sure


@dataclass(frozen=True)
class GenderReading:
    """Whom to shop for: P(women) and where it was read ("face", "figure" or "unsure" when nothing is sure)."""

    p_women: float | None
    source: str

    @property
    def label(self) -> str:
        """'men', 'women', or '' when unsure (then both partitions are searched)."""
        if self.source == "unsure" or self.p_women is None:
            return ""
        return "women" if self.p_women >= 0.5 else "men"


def face_of(pose: Pose | None, box: Box, faces: list[Face]) -> Face | None:
    """The face that belongs to this person: the one over the nose landmark, else the highest in their box."""
    if pose is not None:
        nx, ny = pose.points[NOSE]
        for face in faces:
            f, mx, my = face.box, face.box.width / 4, face.box.height / 4
            if f.x1 - mx <= nx <= f.x2 + mx and f.y1 - my <= ny <= f.y2 + my:
                return face
    top = box.y1 + 0.45 * box.height  # a face is in the upper part of a person's box
    inside = [f for f in faces if box.x1 <= (f.box.x1 + f.box.x2) / 2 <= box.x2 and box.y1 <= f.box.y1 <= top]
    return min(inside, key=lambda f: f.box.y1, default=None)


def head_faces(image: Image.Image, pose: Pose, find_faces: Callable[[Image.Image], list[Face]]) -> list[Face]:
    """Faces looked for again in a close crop of the head: the full-range detector misses small faces.

    The crop is centred on the nose and as wide as the shoulders, so a head that fills 20 pixels
    of a group photo fills a good share of the detector's input.
    """
    shoulders = float(np.linalg.norm(pose.points[LEFT_SHOULDER] - pose.points[RIGHT_SHOULDER]))
    side = max(48.0, 1.6 * shoulders)
    nx, ny = (float(v) for v in pose.points[NOSE])
    x1, y1 = max(0.0, nx - side / 2), max(0.0, ny - side / 2)
    x2, y2 = min(float(image.width), nx + side / 2), min(float(image.height), ny + side / 2)
    if x2 - x1 < 16 or y2 - y1 < 16:
        return []
    crop = image.crop((round(x1), round(y1), round(x2), round(y2)))
    return [f.shifted(round(x1), round(y1)) for f in find_faces(crop)]


def body_is_sure(p_body: float) -> bool:
    return abs(p_body - 0.5) >= BODY_SURE


def read_gender(face_votes: Sequence[float], p_body: float) -> GenderReading:
    """The figure when it is nearly certain; else the face, when the face models agree; else not sure.

    The face models agree when at least one is sure (P(women) at least FACE_SURE from 0.5) and none
    leans the other way. A nearly certain figure comes first because it was never wrong where the
    faces were right, measured: drawn faces fool both face models (they agree on the wrong answer
    for most synthetic figures), and a real photo's figure is rarely that certain.
    """
    if body_is_sure(p_body):
        return GenderReading(p_body, "figure")
    if _face_side(face_votes) is not None:
        return GenderReading(float(np.mean(face_votes)), "face")
    return GenderReading(float(np.mean(face_votes)) if face_votes else p_body, "unsure")


def _face_side(votes: Sequence[float]) -> bool | None:
    """True for women, False for men, None when the face models do not agree."""
    sure = {p >= 0.5 for p in votes if abs(p - 0.5) >= FACE_SURE}
    if len(sure) != 1:
        return None
    side = sure.pop()
    if any((p >= 0.5) != side and abs(p - 0.5) >= FACE_LEANS for p in votes):
        return None
    return side
