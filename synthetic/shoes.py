"""Shoes seen from the front on a figure, and the trims (sole, stripe, toe cap, collar) of a design."""

from __future__ import annotations

from .designs import DemoProduct
from .garments import ANKLE_Y, SOLE_Y, Body, Polygon, ankle_x, leg_polygon

Colour = tuple[int, int, int]


def _half_width(product: DemoProduct) -> float:
    return 0.034 if product.article_type != "heels" else 0.026


def _shaft_top(product: DemoProduct) -> float:
    return ANKLE_Y - 0.03 - 0.14 * product.cut.height


FOOT_TOP = ANKLE_Y + 0.01


def _foot_band(product: DemoProduct, body: Body, side: int, y1: float, y2: float, inset: float = 0.0) -> Polygon:
    """The front of the foot between two heights; its sides lean out towards the toe, as the foot does."""
    ax, w, toe = ankle_x(body, side), _half_width(product), side * 0.01
    t1, t2 = (y1 - FOOT_TOP) / (SOLE_Y - FOOT_TOP), (y2 - FOOT_TOP) / (SOLE_Y - FOOT_TOP)
    return [
        (ax - w + toe * t1 + inset, y1),
        (ax + w + toe * t1 - inset, y1),
        (ax + w + toe * t2 - inset, y2),
        (ax - w + toe * t2 + inset, y2),
    ]


def front_shoe(product: DemoProduct, body: Body, side: int) -> list[Polygon]:
    """A shoe seen from the front, on the foot at `side` (-1 is the figure's left)."""
    ax, w = ankle_x(body, side), _half_width(product)
    art = product.article_type
    foot = _foot_band(product, body, side, FOOT_TOP, SOLE_Y)
    if art == "boots":
        return [foot, leg_polygon(body, side, _shaft_top(product), ANKLE_Y + 0.012, ease=0.012)]
    if art == "sandals":
        return [
            [(ax - w, SOLE_Y - 0.012), (ax + w, SOLE_Y - 0.012), (ax + w, SOLE_Y), (ax - w, SOLE_Y)],
            [(ax - w, ANKLE_Y + 0.02), (ax + w, ANKLE_Y + 0.02), (ax + w, ANKLE_Y + 0.03), (ax - w, ANKLE_Y + 0.03)],
        ]
    return [foot]


def front_trims(product: DemoProduct, body: Body, side: int) -> list[tuple[Colour, Polygon]]:
    """The design's sole and accent as seen from the front, painted over `front_shoe`."""
    trim = product.trim
    if trim is None:
        return []
    ax, w, top = ankle_x(body, side), _half_width(product), FOOT_TOP

    def band(y1: float, y2: float, inset: float = 0.0) -> Polygon:
        return _foot_band(product, body, side, y1, y2, inset)

    sole_h = 0.005 if product.article_type == "heels" else 0.011
    out: list[tuple[Colour, Polygon]] = [(trim.sole, band(SOLE_Y - sole_h, SOLE_Y))]
    if trim.style == "toecap":
        out.append((trim.accent, band(SOLE_Y - sole_h - 0.014, SOLE_Y - sole_h, inset=0.006)))
    elif trim.style == "stripe":
        outer = ax + side * w
        y1, y2 = top + 0.004, SOLE_Y - sole_h
        out.append(
            (
                trim.accent,
                [(outer - side * 0.016, y1), (outer - side * 0.006, y1), (outer, y2), (outer - side * 0.011, y2)],
            )
        )
    elif trim.style == "collar":
        if product.article_type == "boots":
            y = _shaft_top(product)
            out.append((trim.accent, leg_polygon(body, side, y, y + 0.014, ease=0.013)))
        else:
            out.append((trim.accent, band(top, top + 0.008)))
    return out


def profile_trims(product: DemoProduct, upper: Polygon, heel_on: bool = False) -> list[tuple[Colour, Polygon]]:
    """The accent on a shoe's `upper` seen from the side (toe to the right, box 1.0 long), or from
    behind with `heel_on`, where only a collar shows; the sole is separate."""
    trim = product.trim
    if trim is None or trim.style == "plain" or product.article_type == "sandals":
        return []
    top = min(y for _, y in upper)
    xs = [x for x, y in upper if abs(y - top) < 1e-6]
    x1, x2 = min(xs), max(xs)
    if heel_on:
        if trim.style != "collar":
            return []
        return [(trim.accent, [(x1, top), (x2, top), (x2 + 0.005, top + 0.06), (x1 - 0.005, top + 0.06)])]
    if trim.style == "toecap":
        if product.article_type == "heels":
            return [(trim.accent, [(0.82, 0.855), (1.0, 0.95), (1.0, 0.98), (0.78, 0.98)])]
        return [(trim.accent, [(0.8, 0.62), (1.0, 0.82), (1.0, 0.89), (0.8, 0.89)])]
    if trim.style == "stripe":
        return [(trim.accent, [(0.33, 0.88), (0.45, 0.88), (0.62, 0.63), (0.52, 0.62)])]
    # The collar's front edge follows the upper's slope down towards the instep (at x 0.42).
    return [(trim.accent, [(x1, top), (x2, top), (x2 + (0.42 - x2) * 0.12, top + 0.06), (x1, top + 0.06)])]
