"""A figure wearing a top, a bottom and footwear, with ground-truth boxes for every item."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw

from .designs import Cut, DemoProduct
from .face import FaceFeatures, face_paint
from .garment_marks import add_folds, bust_shading, draw_back_details, draw_top_details, fabric_zoom
from .garments import (
    NECK_Y,
    WAIST_Y,
    Body,
    arm_polygon,
    bottom_polygons,
    elbow,
    hand_centre,
    leg_polygon,
    top_polygons,
)
from .painter import Frame, Painter, label_box, vertical_gradient
from .palette import HAIR_COLOURS, SKIN_TONES
from .shoes import front_shoe, front_trims
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
    """Who wears the outfit: body shape, skin, hair and facial hair."""

    body: Body
    skin: tuple[int, int, int]
    hair: tuple[int, int, int]
    long_hair: bool
    beard: bool = False
    face: FaceFeatures = field(default_factory=FaceFeatures)

    @classmethod
    def typical(cls, gender: str, index: int = 0) -> Appearance:
        return cls(
            Body.typical(gender),
            SKIN_TONES[index % len(SKIN_TONES)],
            HAIR_COLOURS[index % 3],
            gender == "women",
            face=FaceFeatures.typical(gender),
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


@dataclass(frozen=True)
class Pose:
    """How the figure stands: which way it faces, and whether one forearm crosses the body."""

    facing: str = "front"  # front, back or side
    arm_across: int = 0  # 0, or the side (-1 / 1) whose forearm crosses in front of the garments
    folds_seed: int | None = None  # creases drawn on the garments when set


class _Dresser:
    """Paints one garment at a time onto the painter, with the pose's details and creases."""

    def __init__(self, painter: Painter, frame: Frame, pose: Pose, bust: float = 0.0):
        self.p, self.frame, self.pose, self.bust = painter, frame, pose, bust
        self.rng = random.Random(pose.folds_seed)

    def texture(self, product: DemoProduct, polys_px: list) -> Image.Image:
        zoom = fabric_zoom(self.frame.scale, self.p.height)
        tex = Image.fromarray(render_fabric(product.fabric, self.p.height, self.p.width, zoom=zoom))
        draw = ImageDraw.Draw(tex)
        if self.pose.facing == "back":
            draw_back_details(draw, product, self.frame)
        elif product.category == "topwear":
            draw_top_details(draw, product.cut, self.frame, product.fabric.base)
            if self.bust > 0:
                tex = bust_shading(tex, self.frame, self.bust / max(product.cut.fit, 1.0), self.pose.facing)
        if self.pose.folds_seed is not None and product.category != "footwear":
            xs = [x for q in polys_px for x, _ in q]
            ys = [y for q in polys_px for _, y in q]
            tex = add_folds(tex, (min(xs), min(ys), max(xs), max(ys)), self.rng)
        return tex

    def wear(self, product: DemoProduct, polys: list, label: int) -> None:
        polys_px = [self.frame.apply(q) for q in polys]
        tex = self.texture(product, polys_px)
        self.p.fill(self.p.mask(polys_px), np.asarray(tex, np.float32), label)


def render_figure(
    outfit: Outfit,
    appearance: Appearance,
    width: int = 320,
    height: int = 400,
    frame: Frame | None = None,
    background: np.ndarray | None = None,
    pose: Pose = Pose(),
) -> RenderedFigure:
    """Draw the figure back to front and read each item's box off the label map."""
    body = appearance.body
    if frame is None:
        frame = Frame(scale=height * 0.9, ox=width / 2, oy=height * 0.05)
    if pose.facing == "side":
        frame = Frame(frame.scale, frame.ox, frame.oy, squeeze=0.55)
    if background is None:
        background = vertical_gradient(width, height, (236, 236, 240), (205, 205, 212))
    p = Painter(width, height, background)
    dresser = _Dresser(p, frame, pose, bust=body.bust)
    px = frame.apply
    s, sx = frame.scale, frame.scale * frame.squeeze
    head_c = (frame.ox, frame.oy + 0.078 * s)
    bent = pose.arm_across

    if appearance.long_hair and pose.facing != "back":
        hair_back = [(-0.07, 0.05), (0.07, 0.05), (0.085, 0.25), (-0.085, 0.25)]
        p.fill(p.mask([px(hair_back)]), appearance.hair, LABEL_HAIR, shade=0.2)
    skin_polys = [leg_polygon(body, side) for side in (-1, 1)]
    skin_polys += [arm_polygon(body, side, 0.0, 0.5 if side == bent else 1.0) for side in (-1, 1)]
    skin_polys.append([(-0.03, 0.12), (0.03, 0.12), (0.035, NECK_Y + 0.02), (-0.035, NECK_Y + 0.02)])
    torso = top_polygons(Cut(length=0.1, fit=0.92), body)[0]
    hands = [(*px([hand_centre(body, side)])[0], 0.022 * sx, 0.03 * s) for side in (-1, 1) if side != bent]
    p.fill(p.mask([px(q) for q in [*skin_polys, torso]], hands), appearance.skin, LABEL_SKIN, shade=0.25)

    items: dict[str, DemoProduct] = {}
    shoes = outfit.footwear or _house("footwear", body.gender)
    items["footwear"] = shoes
    dresser.wear(shoes, [q for side in (-1, 1) for q in front_shoe(shoes, body, side)], LABEL_FOOTWEAR)
    for colour, poly in [t for side in (-1, 1) for t in front_trims(shoes, body, side)]:
        p.fill(p.mask([px(poly)]), colour, LABEL_FOOTWEAR, shade=0.05, outline=0.1)
    top = outfit.top or _house("topwear", body.gender)
    if top.article_type != "dress":
        bottom = outfit.bottom or _house("bottomwear", body.gender)
        items["bottomwear"] = bottom
        dresser.wear(bottom, bottom_polygons(bottom.article_type, bottom.cut, body), LABEL_BOTTOM)
    items["topwear"] = top
    stop = {bent: 0.5} if bent else None
    dresser.wear(top, top_polygons(top.cut, body, back=pose.facing == "back", sleeve_stop=stop), LABEL_TOP)

    if bent:  # the forearm crosses in front of the garments, in its sleeve if the sleeve is long
        hand = (-bent * 0.02, WAIST_Y + 0.03)
        e = elbow(body, bent)
        forearm = [(e[0], e[1] - 0.03), (hand[0], hand[1] - 0.025), (hand[0], hand[1] + 0.025), (e[0], e[1] + 0.03)]
        if top.cut.sleeve >= 0.9:
            dresser.wear(top, [forearm], LABEL_TOP)
        else:
            p.fill(p.mask([px(forearm)]), appearance.skin, LABEL_SKIN, shade=0.25)
        hx, hy = px([hand])[0]
        p.fill(p.mask([], [(hx, hy, 0.024 * sx, 0.028 * s)]), appearance.skin, LABEL_SKIN, shade=0.2)

    if pose.facing == "back":
        p.fill(p.mask([], [(head_c[0], head_c[1], 0.05 * sx, 0.066 * s)]), appearance.hair, LABEL_HAIR, shade=0.15)
        if appearance.long_hair:
            hair = [(-0.065, 0.08), (0.065, 0.08), (0.08, 0.24), (-0.08, 0.24)]
            p.fill(p.mask([px(hair)]), appearance.hair, LABEL_HAIR, shade=0.2)
    else:
        shift = 0.012 * s if pose.facing == "side" else 0.0
        face = (head_c[0] + shift, head_c[1], 0.046 * sx / frame.squeeze**0.5 * appearance.face.jaw, 0.062 * s)
        p.fill(p.mask([], [face]), appearance.skin, LABEL_SKIN, shade=0.2)
        cap_h = 0.035 if appearance.long_hair else 0.025
        cap = (head_c[0] - shift, head_c[1] - 0.03 * s, 0.05 * sx / frame.squeeze**0.5, cap_h * s)
        p.fill(p.mask([], [cap]), appearance.hair, LABEL_HAIR, shade=0.15)
        for colour, ellipses in face_paint(appearance.face, face, appearance.skin, appearance.hair, pose.facing):
            p.fill(p.mask([], list(ellipses)), colour, LABEL_SKIN, shade=0.0, outline=0.15)
        if appearance.beard:  # jaw and upper lip, in the hair colour mixed into the skin as stubble reads
            beard = (face[0], head_c[1] + 0.042 * s, face[2] * 0.78, 0.024 * s)
            tone = tuple(int(0.7 * h + 0.3 * k) for h, k in zip(appearance.hair, appearance.skin, strict=True))
            p.fill(p.mask([], [beard]), tone, LABEL_HAIR, shade=0.1)

    boxes = []
    for category, product in items.items():
        box = label_box(p.labels, {CATEGORY_LABELS[category]})
        if box is not None:
            boxes.append(ItemBox(category, product.product_id or None, *box))
    person = label_box(p.labels, {LABEL_SKIN, LABEL_HAIR, *CATEGORY_LABELS.values()})
    if person is not None:
        boxes.append(ItemBox("person", None, *person))
    return RenderedFigure(p.image(), tuple(boxes), body.gender)


def _house(category: str, gender: str) -> DemoProduct:
    article, cut = HOUSE_CUTS[category]
    fabric = HOUSE_BOTTOM_FABRIC if category == "bottomwear" else HOUSE_FABRIC
    return DemoProduct("", "house", gender, category, article, cut, fabric, "", "", 0, True, ())


def model_shot(
    product: DemoProduct, width: int = 320, height: int = 400, index: int = 0, outfit: Outfit | None = None
) -> RenderedFigure:
    """The product worn by a figure of its gender, in `outfit` (which wears it), or with plain house
    garments for the rest."""
    if outfit is None:
        outfit = Outfit(
            **{{"topwear": "top", "bottomwear": "bottom", "footwear": "footwear"}[product.category]: product}
        )
    return render_figure(outfit, Appearance.typical(product.gender, index), width, height)
