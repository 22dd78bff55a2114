"""Faces: eyes, brows, lips, jaw and earrings, drawn with the sex differences real faces show.

People read gender mostly from the face, so a figure whose face is a blank oval teaches a
classifier only hair length and garments. Every cue here overlaps between men and women (some
men wear earrings, some women no make-up), as in real photos, so no single one decides.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

LIPSTICKS = ((170, 30, 50), (200, 80, 110), (140, 50, 70), (190, 110, 100))
EYE_DARK = (35, 28, 26)
GOLD, SILVER = (212, 175, 80), (200, 200, 205)


@dataclass(frozen=True)
class FaceFeatures:
    """How a face differs from the next one; sizes are relative to a typical face."""

    jaw: float = 1.0  # face width: men's faces are wider at the jaw
    brow: float = 1.0  # brow thickness
    lips: tuple[int, int, int] | None = None  # lipstick colour, or None for the lips' own tone
    eyeliner: bool = False
    earrings: tuple[int, int, int] | None = None

    @classmethod
    def typical(cls, gender: str) -> FaceFeatures:
        """The catalog's house models: natural make-up, small earrings for women."""
        if gender == "women":
            return cls(jaw=0.94, brow=0.7, lips=LIPSTICKS[3], eyeliner=True, earrings=GOLD)
        return cls(jaw=1.06, brow=1.2)


def random_features(gender: str, rng: random.Random) -> FaceFeatures:
    """One face's features; the ranges overlap between genders on purpose."""
    women = gender == "women"
    return FaceFeatures(
        jaw=rng.uniform(0.88, 1.0) if women else rng.uniform(0.98, 1.12),
        brow=rng.uniform(0.5, 0.95) if women else rng.uniform(0.85, 1.35),
        lips=rng.choice(LIPSTICKS) if rng.random() < (0.55 if women else 0.02) else None,
        eyeliner=rng.random() < (0.6 if women else 0.03),
        earrings=rng.choice((GOLD, SILVER)) if rng.random() < (0.45 if women else 0.08) else None,
    )


Ellipse = tuple[float, float, float, float]  # cx, cy, rx, ry in pixels
Layer = tuple[tuple[int, int, int], tuple[Ellipse, ...]]  # a colour and the ellipses painted in it


def face_paint(
    features: FaceFeatures,
    face: Ellipse,
    skin: tuple[int, int, int],
    hair: tuple[int, int, int],
    facing: str,
) -> list[Layer]:
    """Eyes, brows, lips and earrings placed on the face oval `face`, in drawing order; a side view
    shows one eye."""
    cx, cy, rx, ry = face
    sides = (-1, 1) if facing == "front" else (1,)  # the side view faces to the right
    spread = 0.42 if facing == "front" else 0.55
    eyes = tuple((cx + s * spread * rx, cy + 0.22 * ry, 0.17 * rx, 0.08 * ry) for s in sides)
    pupils = tuple((x, y, 0.08 * rx, 0.07 * ry) for x, y, _, _ in eyes)
    brows = tuple((x, y - 0.13 * ry, 0.22 * rx, 0.04 * ry * features.brow) for x, y, _, _ in eyes)
    lip_x = cx + (0.25 * rx if facing == "side" else 0.0)
    lip_w = 0.3 * rx if facing == "front" else 0.18 * rx
    lips = ((lip_x, cy + 0.6 * ry, lip_w, 0.09 * ry),)
    lip_colour = features.lips or tuple(int(k * 0.8 + r) for k, r in zip(skin, (20, -10, -10), strict=True))
    brow_tone = tuple(int(0.75 * h + 0.1 * k) for h, k in zip(hair, skin, strict=True))
    layers: list[Layer] = [
        ((245, 245, 240), eyes),
        (EYE_DARK, pupils),
        (_clip(brow_tone), brows),
        (_clip(lip_colour), lips),
    ]
    if features.eyeliner:
        lined = tuple((x, y - 0.05 * ry, r * 1.15, 0.035 * ry) for x, y, r, _ in eyes)
        layers.append((EYE_DARK, lined))
    if features.earrings is not None:
        ear_x = (cx - rx, cx + rx) if facing == "front" else (cx - 0.55 * rx,)
        layers.append((features.earrings, tuple((x, cy + 0.4 * ry, 0.09 * rx, 0.09 * rx) for x in ear_x)))
    return layers


def _clip(colour: tuple[int, ...]) -> tuple[int, int, int]:
    r, g, b = (max(0, min(255, c)) for c in colour)
    return r, g, b
