"""Who is in the photo: the pose detector's people, the garment detector's, and the COCO check between them."""

from __future__ import annotations

import numpy as np
from PIL import Image

from .body import HALF_SEEN
from .boxes import Box, iou_matrix
from .models.person_boxes import MISTAKEN_FOR_PEOPLE, PERSON
from .pose import LEFT_HIP, LEFT_SHOULDER, RIGHT_HIP, RIGHT_SHOULDER, Person, Pose
from .taxonomy import PERSON_CLASS

MAX_PEOPLE = 4  # people read in one photo (the biggest, most central first): a crowd is not an outfit

PERSON_OVERLAP = 0.3  # IoU at which two people boxes (or a box and a pose's outline) are one person

# BlazePose's detector and landmark scores under which a read pose is checked by the COCO detector: a
# horse's pose was read at 0.73 and 0.87, while most people are read at 0.9 and 1.0 (the real dev split).
SURE_PERSON, SURE_POSE = 0.8, 0.9


def prominence(box: Box, width: int, height: int) -> float:
    """How much a person is what the photo is about: big, and near the middle."""
    area = box.width * box.height / (width * height)
    off_centre = abs((box.x1 + box.x2) / 2 / width - 0.5)
    return area * (1.0 - off_centre)


def person_box(pose: Pose, width: int, height: int) -> Box:
    """The person's outline from the landmarks seen in the photo, with room for hair, hands and shoes."""
    seen = pose.points[(pose.visibility >= HALF_SEEN)]
    if len(seen) == 0:
        seen = pose.points
    shoulders = (pose.points[LEFT_SHOULDER] + pose.points[RIGHT_SHOULDER]) / 2
    hips = (pose.points[LEFT_HIP] + pose.points[RIGHT_HIP]) / 2
    torso = float(np.linalg.norm(shoulders - hips)) or 1.0
    x1, y1 = seen.min(0)
    x2, y2 = seen.max(0)
    return Box(
        PERSON_CLASS, pose.score, x1 - 0.25 * torso, y1 - 0.4 * torso, x2 + 0.25 * torso, y2 + 0.15 * torso
    ).clipped(width, height)


def needs_person_check(outlines: list[Box], boxes: list[Box], unsure: bool) -> bool:
    """Whether to ask the COCO detector: when no pose was read, when a read pose is `unsure` (BlazePose reads
    a pose on a horse with less confidence than on a person), or when the garment detector saw a person no
    read pose explains (a dog it took for one, or somebody BlazePose missed). A photo whose people the two
    agree on, surely, is not checked again: most photos, and the check costs as much as the garment detector."""
    if not outlines or unsure:
        return True
    return any(not same_person(b, outlines) for b in boxes if b.label == PERSON_CLASS)


def same_person(box: Box, others: list[Box]) -> bool:
    """Whether `box` is one of `others`' people: they overlap enough, or one holds the other's centre."""
    for other in others:
        if _overlaps(box, [other]) or _holds(box, _centre(other)) or _holds(other, _centre(box)):
            return True
    return False


def _centre(box: Box) -> tuple[float, float]:
    return (box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2


def something_else(box: Box, checked: list[Box]) -> bool:
    """Whether the COCO detector saw something often taken for a person where `box` is, and no person there:
    a person box or a pose on a dog, a horse or fruit. Where it saw nothing of the kind, the person stays (it
    was trained on real photos and misses some people, drawn ones most)."""
    people = [b for b in checked if b.label == PERSON]
    things = [b for b in checked if b.label in MISTAKEN_FOR_PEOPLE]
    return not same_person(box, people) and same_person(box, things)


def _holds(box: Box, point: tuple[float, float]) -> bool:
    return box.x1 <= point[0] <= box.x2 and box.y1 <= point[1] <= box.y2


def _overlaps(box: Box, others: list[Box]) -> bool:
    return bool(others) and float(iou_matrix([box.as_tuple()], [o.as_tuple() for o in others]).max()) >= PERSON_OVERLAP


def candidates(
    image: Image.Image,
    found: list[Person],
    boxes: list[Box],
    checked: list[Box] | None = None,
    outlines: dict[int, Box] | None = None,
) -> list[tuple[Person, Box | None]]:
    """People from the pose detector, each with the garment detector's person box around them if there is one,
    plus any person box of the garment detector that the pose detector missed.

    With `checked` (the COCO detector's findings, when it was asked), a garment detector's person box counts
    only over a person it found too, and each person it found that no candidate covers is a candidate too.
    """
    detector_people = [b for b in boxes if b.label == PERSON_CLASS]
    outlines = outlines or {}
    if checked is not None:
        # The garment detector learned "person" from rendered figures: on a real photo its person counts
        # only where the COCO detector saw one too (its own box is kept: it fits the garments it found).
        coco_people = [b for b in checked if b.label == PERSON]
        detector_people = [b for b in detector_people if same_person(b, coco_people)]

    def around(p: Person) -> Box | None:
        covering = [b for b in detector_people if _holds(b, p.hips)]
        return max(covering, key=lambda b: b.score, default=None)

    people = [(p, around(p)) for p in found]
    taken = {id(b) for _, b in people if b is not None}
    people += [(Person.from_box(b), b) for b in detector_people if id(b) not in taken]
    if checked is not None:
        covered = [b or outlines.get(id(p), p.box) for p, b in people]
        people += [(Person.from_box(b), b) for b in coco_people if not same_person(b, covered)]
    w, h = image.size
    people.sort(key=lambda c: prominence(c[1] or c[0].box, w, h), reverse=True)
    return people[:MAX_PEOPLE]
