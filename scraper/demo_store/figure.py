"""A figure wearing a top, a bottom and footwear, with ground-truth boxes for every item."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from .designs import Cut, DemoProduct
from .garments import (
    ANKLE_Y,
    NECK_Y,
    SOLE_Y,
    WAIST_Y,
    Body,
    ankle_x,
    arm_polygon,
    bottom_polygons,
    hand_centre,
    leg_polygon,
    top_polygons,
)
from .painter import Frame, Painter, label_box, vertical_gradient
from .palette import HAIR_COLOURS, SKIN_TONES
from .textures import Fabric, render_fabric

LABEL_SKIN, LABEL_HAIR, LABEL_TOP, LABEL_BOTTOM, LABEL_FOOTWEAR = 1, 2, 10, 11, 12
CATEGORY_LABELS = {"topwear": LABEL_TOP, "bottomwear": LABEL_BOTTOM, "footwear": LABEL_FOOTWEAR}


@dataclass(frozen=True)
class ItemBox:
    """Ground truth for one thing in a rendered image: its class, product and pixel box."""

    label: str  # topwear, bottomwear, footwear or person
    product_id: str | None
    x1: int
    y1: int
    x2: int
    y2: int


@dataclass(frozen=True)
class Outfit:
    top: DemoProduct | None = None
    bottom: DemoProduct | None = None
    footwear: DemoProduct | None = None


@dataclass(frozen=True)
class Appearance:
    """Who wears the outfit: body shape, skin and hair."""

    body: Body
    skin: tuple[int, int, int]
    hair: tuple[int, int, int]
    long_hair: bool

    @classmethod
    def typical(cls, gender: str, index: int = 0) -> Appearance:
        return cls(
            Body.typical(gender),
            SKIN_TONES[index % len(SKIN_TONES)],
            HAIR_COLOURS[index % 3],
            gender == "women",
        )


@dataclass(frozen=True)
class RenderedFigure:
    image: Image.Image
    boxes: tuple[ItemBox, ...]
    gender: str


# Plain garments a model wears with the product being shown; not catalog products.
HOUSE_CUTS = {
    "topwear": ("tshirt", Cut(length=0.12, fit=1.0, sleeve=0.3)),
    "bottomwear": ("trousers", Cut(length=1.0, fit=1.0)),
    "footwear": ("sneakers", Cut(length=1.0, fit=1.0)),
}
HOUSE_FABRIC = Fabric("solid", (235, 235, 232), (235, 235, 232))
HOUSE_BOTTOM_FABRIC = Fabric("denim", (55, 85, 140), (55, 85, 140), scale=12)


def draw_top_details(draw: ImageDraw.ImageDraw, cut: Cut, frame: Frame, colour: tuple[int, int, int]) -> None:
    """Placket and buttons, a zip, or a pouch pocket: the marks that tell tops apart."""
    s = frame.scale
    x0 = frame.ox
    top = frame.oy + (NECK_Y + 0.04) * s
    hem = frame.oy + (WAIST_Y + cut.length) * s
    dark = tuple(int(c * 0.55) for c in colour)
    if cut.neckline == "collar":
        draw.line([(x0, top), (x0, hem)], fill=dark, width=max(1, int(s * 0.004)))
        for i in range(5):
            y = top + (hem - top) * (i + 0.5) / 5
            r = max(1.5, s * 0.006)
            draw.ellipse([x0 + 3 - r, y - r, x0 + 3 + r, y + r], fill=(235, 235, 230))
    elif cut.neckline == "open":
        draw.line([(x0, top - 0.03 * s), (x0, hem)], fill=dark, width=max(2, int(s * 0.008)))
    elif cut.neckline == "hood":
        y = frame.oy + (WAIST_Y - 0.01) * s
        w = 0.07 * s
        draw.polygon(
            [(x0 - w, y), (x0 + w, y), (x0 + w * 1.2, y + 0.07 * s), (x0 - w * 1.2, y + 0.07 * s)],
            outline=dark,
            width=2,
        )


def _garment_texture(product: DemoProduct, painter: Painter) -> np.ndarray:
    return render_fabric(product.fabric, painter.height, painter.width).astype(np.float32)


def _shoe_polys(product: DemoProduct, body: Body, side: int) -> list:
    """A shoe seen from the front, on the foot at `side`."""
    ax = ankle_x(body, side)
    art, h = product.article_type, product.cut.height
    w = 0.034 if art != "heels" else 0.026
    toe = side * 0.01
    foot = [(ax - w, ANKLE_Y + 0.01), (ax + w, ANKLE_Y + 0.01), (ax + w + toe, SOLE_Y), (ax - w + toe, SOLE_Y)]
    if art == "boots":
        shaft_top = ANKLE_Y - 0.03 - 0.14 * h
        return [foot, leg_polygon(body, side, shaft_top, ANKLE_Y + 0.012, ease=0.012)]
    if art == "sandals":
        return [
            [(ax - w, SOLE_Y - 0.012), (ax + w, SOLE_Y - 0.012), (ax + w, SOLE_Y), (ax - w, SOLE_Y)],
            [(ax - w, ANKLE_Y + 0.02), (ax + w, ANKLE_Y + 0.02), (ax + w, ANKLE_Y + 0.03), (ax - w, ANKLE_Y + 0.03)],
        ]
    return [foot]


def render_figure(
    outfit: Outfit,
    appearance: Appearance,
    width: int = 320,
    height: int = 400,
    frame: Frame | None = None,
    background: np.ndarray | None = None,
) -> RenderedFigure:
    """Draw the figure back to front and read each item's box off the label map."""
    body = appearance.body
    if frame is None:
        frame = Frame(scale=height * 0.9, ox=width / 2, oy=height * 0.05)
    if background is None:
        background = vertical_gradient(width, height, (236, 236, 240), (205, 205, 212))
    p = Painter(width, height, background)
    px = frame.apply
    s = frame.scale
    head_c = (frame.ox, frame.oy + 0.078 * s)

    if appearance.long_hair:
        hair_back = [(-0.07, 0.05), (0.07, 0.05), (0.085, 0.25), (-0.085, 0.25)]
        p.fill(p.mask([px(hair_back)]), appearance.hair, LABEL_HAIR, shade=0.2)
    skin_polys = [leg_polygon(body, side) for side in (-1, 1)]
    skin_polys += [arm_polygon(body, side) for side in (-1, 1)]
    skin_polys.append([(-0.03, 0.12), (0.03, 0.12), (0.035, NECK_Y + 0.02), (-0.035, NECK_Y + 0.02)])
    torso = top_polygons(Cut(length=0.1, fit=0.92), body)[0]
    hands = [(*px([hand_centre(body, side)])[0], 0.022 * s, 0.03 * s) for side in (-1, 1)]
    p.fill(p.mask([px(q) for q in [*skin_polys, torso]], hands), appearance.skin, LABEL_SKIN, shade=0.25)

    items: dict[str, DemoProduct] = {}
    shoes = outfit.footwear or _house("footwear", body.gender)
    items["footwear"] = shoes
    polys = [q for side in (-1, 1) for q in _shoe_polys(shoes, body, side)]
    p.fill(p.mask([px(q) for q in polys]), _garment_texture(shoes, p), LABEL_FOOTWEAR)

    top = outfit.top or _house("topwear", body.gender)
    if top.article_type != "dress":
        bottom = outfit.bottom or _house("bottomwear", body.gender)
        items["bottomwear"] = bottom
        polys = bottom_polygons(bottom.article_type, bottom.cut, body)
        p.fill(p.mask([px(q) for q in polys]), _garment_texture(bottom, p), LABEL_BOTTOM)
    items["topwear"] = top
    tex = Image.fromarray(_garment_texture(top, p).astype(np.uint8))
    draw_top_details(ImageDraw.Draw(tex), top.cut, frame, top.fabric.base)
    p.fill(p.mask([px(q) for q in top_polygons(top.cut, body)]), np.asarray(tex, np.float32), LABEL_TOP)

    face = (head_c[0], head_c[1], 0.046 * s, 0.062 * s)
    p.fill(p.mask([], [face]), appearance.skin, LABEL_SKIN, shade=0.2)
    cap_h = 0.035 if appearance.long_hair else 0.025
    cap = (head_c[0], head_c[1] - 0.03 * s, 0.05 * s, cap_h * s)
    p.fill(p.mask([], [cap]), appearance.hair, LABEL_HAIR, shade=0.15)

    boxes = []
    for category, product in items.items():
        box = label_box(p.labels, {CATEGORY_LABELS[category]})
        if box is not None:
            pid = product.product_id or None
            boxes.append(ItemBox(category, pid, *box))
    person = label_box(p.labels, {LABEL_SKIN, LABEL_HAIR, *CATEGORY_LABELS.values()})
    if person is not None:
        boxes.append(ItemBox("person", None, *person))
    return RenderedFigure(p.image(), tuple(boxes), body.gender)


def _house(category: str, gender: str) -> DemoProduct:
    article, cut = HOUSE_CUTS[category]
    fabric = HOUSE_BOTTOM_FABRIC if category == "bottomwear" else HOUSE_FABRIC
    return DemoProduct("", "house", gender, category, article, cut, fabric, "", "", 0, True, ())


def model_shot(product: DemoProduct, width: int = 320, height: int = 400, index: int = 0) -> RenderedFigure:
    """The product worn by a figure of its gender, with plain house garments for the rest."""
    outfit = Outfit(**{{"topwear": "top", "bottomwear": "bottom", "footwear": "footwear"}[product.category]: product})
    return render_figure(outfit, Appearance.typical(product.gender, index), width, height)
