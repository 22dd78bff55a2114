"""Garment and body outlines as polygons in body units (figure 1.0 tall, x = 0 at its centre)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .designs import Cut

Point = tuple[float, float]
Polygon = list[Point]

# Landmark heights down a standing figure, as fractions of its height.
NECK_Y, SHOULDER_Y, ARMPIT_Y, WAIST_Y, HIP_Y, CROTCH_Y, ANKLE_Y, SOLE_Y = (
    0.155,
    0.19,
    0.26,
    0.40,
    0.48,
    0.535,
    0.945,
    1.0,
)
ARM_LENGTH = 0.35
LEG_TOP_X = 0.055


@dataclass(frozen=True)
class Body:
    """A figure's proportions; half-widths in body units."""

    gender: str
    shoulder: float
    chest: float
    waist: float
    hip: float
    arm_angle: float = 12.0  # degrees out from vertical
    leg_spread: float = 0.02  # extra half-distance between the ankles
    bust: float = 0.0  # how much the bust shows through a top, 0 to 1

    @classmethod
    def typical(
        cls, gender: str, build: float = 1.0, arm_angle: float = 12.0, leg_spread: float = 0.02, bust: float = 0.7
    ) -> Body:
        widths = (0.105, 0.095, 0.075, 0.11) if gender == "women" else (0.125, 0.11, 0.095, 0.1)
        s, c, w, h = (v * build for v in widths)
        return cls(gender, s, c, w, h, arm_angle, leg_spread, bust if gender == "women" else 0.0)


def _arm_dir(angle_deg: float) -> tuple[float, float]:
    a = math.radians(angle_deg)
    return math.sin(a), math.cos(a)


def arm_polygon(body: Body, side: int, start: float = 0.0, end: float = 1.0, half_width: float = 0.028) -> Polygon:
    """The arm (or a sleeve around it) from fraction `start` to `end` of its length; side -1 left."""
    dx, dy = _arm_dir(body.arm_angle)
    dx *= side
    sx, sy = side * body.shoulder * 0.92, SHOULDER_Y + 0.01
    nx, ny = dy * side, -dx * side  # outward normal
    a = (sx + dx * ARM_LENGTH * start, sy + dy * ARM_LENGTH * start)
    b = (sx + dx * ARM_LENGTH * end, sy + dy * ARM_LENGTH * end)
    w0, w1 = half_width * (1.15 - 0.3 * start), half_width * (1.15 - 0.3 * end)
    return [
        (a[0] + nx * w0, a[1] + ny * w0),
        (b[0] + nx * w1, b[1] + ny * w1),
        (b[0] - nx * w1, b[1] - ny * w1),
        (a[0] - nx * w0, a[1] - ny * w0),
    ]


def elbow(body: Body, side: int) -> Point:
    return arm_polygon(body, side, 0.5, 0.5, half_width=0.0)[0]


def hand_centre(body: Body, side: int) -> Point:
    dx, dy = _arm_dir(body.arm_angle)
    reach = ARM_LENGTH + 0.035
    return side * body.shoulder * 0.92 + side * dx * reach, SHOULDER_Y + 0.01 + dy * reach


def leg_polygon(body: Body, side: int, top_y: float = HIP_Y, bottom_y: float = ANKLE_Y, ease: float = 0.0) -> Polygon:
    """One leg (or a trouser leg around it) between two heights; side -1 is the figure's left."""

    def centre(y: float) -> float:
        t = (y - HIP_Y) / (ANKLE_Y - HIP_Y)
        return side * (LEG_TOP_X + body.leg_spread * t)

    def half(y: float) -> float:
        t = (y - HIP_Y) / (ANKLE_Y - HIP_Y)
        return 0.055 * (1 - t) + 0.024 * t + ease

    return [
        (centre(top_y) - half(top_y), top_y),
        (centre(bottom_y) - half(bottom_y), bottom_y),
        (centre(bottom_y) + half(bottom_y), bottom_y),
        (centre(top_y) + half(top_y), top_y),
    ]


def ankle_x(body: Body, side: int) -> float:
    return side * (LEG_TOP_X + body.leg_spread)


def top_polygons(
    cut: Cut, body: Body, back: bool = False, sleeve_stop: dict[int, float] | None = None
) -> list[Polygon]:
    """A top or dress: the torso piece plus its sleeves; `sleeve_stop` cuts a sleeve at the elbow."""
    fit = cut.fit
    neck_w = 0.045 if cut.neckline != "open" else 0.05
    dip = {"crew": 0.02, "vee": 0.07, "collar": 0.035, "hood": 0.03, "open": 0.09}[cut.neckline]
    if back:
        dip = 0.008
    hem_y = WAIST_Y + cut.length
    hem_w = body.hip * fit + 0.02
    if hem_y > HIP_Y + 0.05:  # a dress flares below the hips
        hem_w += (hem_y - HIP_Y) * 0.35 * fit
    left: Polygon = [
        (-neck_w, NECK_Y),
        (-body.shoulder * min(fit, 1.08), SHOULDER_Y),
        (-(body.chest * fit + 0.012), ARMPIT_Y),
        (-(body.waist * fit + 0.02), WAIST_Y),
        (-hem_w, hem_y),
    ]
    right = [(-x, y) for x, y in reversed(left)]
    torso = left + right + [(0.0, NECK_Y + dip)]
    pieces = [torso]
    if cut.sleeve > 0:
        for side in (-1, 1):
            end = min(1.0, cut.sleeve, (sleeve_stop or {}).get(side, 1.0))
            pieces.append(arm_polygon(body, side, -0.04, end, half_width=0.036 * fit))
    return pieces


def bottom_polygons(article: str, cut: Cut, body: Body) -> list[Polygon]:
    """Trousers, jeans, shorts (two legs and a seat) or a skirt."""
    fit = cut.fit
    top_y = WAIST_Y + 0.01
    waist_w = body.waist * min(fit, 1.05) + 0.018
    hip_w = body.hip * fit + 0.015
    if article == "skirt":
        hem_y = HIP_Y + cut.length * 0.4
        hem_w = hip_w + cut.length * 0.12 * fit
        return [[(-waist_w, top_y), (-hip_w, HIP_Y), (-hem_w, hem_y), (hem_w, hem_y), (hip_w, HIP_Y), (waist_w, top_y)]]
    hem_y = CROTCH_Y + (ANKLE_Y - CROTCH_Y) * cut.length
    seat = [(-waist_w, top_y), (-hip_w, HIP_Y), (0.0, CROTCH_Y + 0.01), (hip_w, HIP_Y), (waist_w, top_y)]
    ease = 0.012 * fit + (0.012 if article == "shorts" else 0.0)
    legs = [leg_polygon(body, side, HIP_Y - 0.02, hem_y, ease=ease) for side in (-1, 1)]
    return [seat, *legs]


def shoe_profile(article: str, cut: Cut) -> tuple[Polygon, Polygon]:
    """A shoe seen from the side, toe to the right: (upper, sole), in a box 1.0 long."""
    h = cut.height
    if article == "heels":  # a pump: raised heel, sloping foot bed, stiletto
        top = 1.0 - (0.3 + 0.3 * h)
        upper = [
            (0.05, top - 0.12),
            (0.25, top - 0.02),
            (0.55, 0.8),
            (0.85, 0.84),
            (1.0, 0.95),
            (1.0, 0.98),
            (0.65, 0.98),
            (0.3, top + 0.08),
            (0.06, top + 0.03),
        ]
        heel = [(0.06, top + 0.02), (0.17, top + 0.06), (0.12, 1.0), (0.09, 1.0)]
        return upper, heel
    shaft = 0.45 + 0.9 * h if article == "boots" else (0.45 if article == "sneakers" else 0.35)
    upper = [(0.02, 0.92 - shaft), (0.3, 0.92 - shaft), (0.42, 0.6), (0.8, 0.62), (1.0, 0.82), (1.0, 0.9), (0.0, 0.9)]
    if article == "sandals":
        upper = [(0.05, 0.55), (0.12, 0.55), (0.16, 0.88), (0.6, 0.65), (0.7, 0.65), (0.68, 0.88), (0.05, 0.88)]
    sole = [(0.0, 0.88), (1.0, 0.88), (1.0, 1.0), (0.02, 1.0)]
    return upper, sole
