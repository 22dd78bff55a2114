"""From raw detections to the outfit to shop: the garments on a person, or regions by body layout."""

from __future__ import annotations

from collections.abc import Sequence

from .boxes import Box
from .taxonomy import CATEGORIES


def _inside(box: Box, person: Box, slack: float = 0.1) -> bool:
    cx, cy = (box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2
    dx, dy = person.width * slack, person.height * slack
    return person.x1 - dx <= cx <= person.x2 + dx and person.y1 - dy <= cy <= person.y2 + dy


def pick_garments(boxes: list[Box], person: Box | None, garments: Sequence[str]) -> list[Box]:
    """The best box of each of `garments` (classes, in the order wanted), on the main person when there is one."""
    best: dict[str, Box] = {}
    for box in boxes:
        if box.label not in garments or (person is not None and not _inside(box, person)):
            continue
        if box.label not in best or box.score > best[box.label].score:
            best[box.label] = box
    return [best[c] for c in garments if c in best]


def layout_garments(person: Box, height: int) -> list[Box]:
    """Garment regions from the person's box when neither the pose nor the detector gave any: each
    category where the taxonomy's `body_span` says it is worn on a standing person.

    A detector trained on synthetic figures can miss everything on an unusual real photo; the
    shopper still gets recommendations, labelled as coming from layout, instead of nothing.
    Real photos cut at the knees (the photo's `height`) lose the lower regions, which are then left out.
    """
    x1, y1, x2, y2 = person.as_tuple()
    h = y2 - y1
    regions = []
    for category in CATEGORIES:
        top, bottom = category.body_span
        ry1, ry2 = y1 + top * h, min(float(height), y1 + bottom * h)
        if ry2 - ry1 >= 0.04 * h:
            regions.append(Box(category.name, 0.0, x1, ry1, x2, ry2))
    return regions
