"""What a worn garment shows besides its fabric: plackets, zips and pockets, folds, the bust's shading."""

from __future__ import annotations

import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .designs import Cut, DemoProduct
from .garments import ARMPIT_Y, NECK_Y, SHOULDER_Y, WAIST_Y
from .painter import Frame


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


def draw_back_details(draw: ImageDraw.ImageDraw, product: DemoProduct, frame: Frame) -> None:
    """What a garment's back shows instead of its front: a yoke seam, a hood, back pockets."""
    s, x0, y0 = frame.scale, frame.ox, frame.oy
    sx = s * frame.squeeze
    dark = tuple(int(c * 0.55) for c in product.fabric.base)
    width = max(2, int(s * 0.006))
    if product.category == "topwear":
        y = y0 + (SHOULDER_Y + 0.05) * s
        draw.line([(x0 - 0.11 * sx, y), (x0 + 0.11 * sx, y)], fill=dark, width=width)
        if product.cut.neckline == "hood":
            hood = [(x0 - 0.07 * sx, y0 + 0.16 * s), (x0, y0 + 0.3 * s), (x0 + 0.07 * sx, y0 + 0.16 * s)]
            draw.polygon(hood, outline=dark, width=width)
        return
    if product.category == "bottomwear":
        for side in (-1, 1):  # two patch pockets below the waistband
            cx, top = x0 + side * 0.055 * sx, y0 + (WAIST_Y + 0.04) * s
            w, h = 0.035 * sx, 0.06 * s
            pocket = [(cx - w, top), (cx + w, top), (cx + w, top + h), (cx, top + h * 1.25), (cx - w, top + h)]
            draw.polygon(pocket, outline=dark, width=width)


def fabric_zoom(frame_scale: float, canvas_height: int) -> float:
    """The zoom that gives a fabric the same period in body units whatever the figure's size."""
    return frame_scale / (2.0 * canvas_height)


def add_folds(texture: Image.Image, box: tuple[float, float, float, float], rng: random.Random) -> Image.Image:
    """Soft darker creases across a garment's box, as cloth shows when worn."""
    x1, y1, x2, y2 = box
    layer = Image.new("L", texture.size, 0)
    draw = ImageDraw.Draw(layer)
    for _ in range(rng.randint(2, 5)):
        ya, yb = rng.uniform(y1, y2), rng.uniform(y1, y2)
        xa, xb = rng.uniform(x1, x2), rng.uniform(x1, x2)
        draw.line([(xa, ya), ((xa + xb) / 2 + rng.uniform(-15, 15), (ya + yb) / 2), (xb, yb)], fill=255, width=3)
    soft = np.asarray(layer.filter(ImageFilter.GaussianBlur(3)), np.float32)[..., None] / 255.0
    return Image.fromarray((np.asarray(texture, np.float32) * (1 - 0.35 * soft)).astype(np.uint8))


def bust_shading(texture: Image.Image, frame: Frame, strength: float, facing: str) -> Image.Image:
    """Soft shadows under the bust, the way a worn top reveals the body's shape from the front."""
    s, sx = frame.scale, frame.scale * frame.squeeze
    layer = Image.new("L", texture.size, 0)
    draw = ImageDraw.Draw(layer)
    centres = (-1, 1) if facing == "front" else (1.6,)  # a side view shows the near side in profile
    y = frame.oy + (ARMPIT_Y + 0.012) * s
    for side in centres:
        x = frame.ox + side * 0.042 * sx
        box = [x - 0.036 * sx, y - 0.028 * s, x + 0.036 * sx, y + 0.028 * s]
        draw.arc(box, 20, 160, fill=255, width=max(2, int(0.008 * s)))
    soft = np.asarray(layer.filter(ImageFilter.GaussianBlur(max(1.0, 0.005 * s))), np.float32)[..., None] / 255.0
    shaded = np.asarray(texture, np.float32) * (1 - 0.55 * min(strength, 1.0) * soft)
    return Image.fromarray(shaded.astype(np.uint8))
