"""Lookbook scenes: a figure wearing catalog products in a varied setting, with ground truth.

A scene crop must not look like the product's catalog photo (the "street to shop" gap), so the
figure is posed, lit, cropped, partly occluded and photographed badly in random ways.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .face import random_features
from .figure import Appearance, ItemBox, Outfit, Pose, render_figure
from .garments import Body
from .painter import Frame, vertical_gradient
from .palette import COLOURS, HAIR_COLOURS, SKIN_TONES
from .textures import PATTERNS, Fabric, render_fabric

BACKGROUNDS = ("studio", "wall", "room", "outdoor")
MIN_BOX_SIDE = 6  # px: smaller slivers of a cropped garment are not labelled


@dataclass(frozen=True)
class Scene:
    image: Image.Image
    boxes: tuple[ItemBox, ...]
    gender: str
    facing: str
    jpeg_quality: int


def random_appearance(gender: str, rng: random.Random) -> Appearance:
    body = Body.typical(
        gender,
        build=rng.uniform(0.85, 1.2),
        arm_angle=rng.uniform(4, 22),
        leg_spread=rng.uniform(0.0, 0.06),
        bust=rng.uniform(0.2, 1.0),
    )
    long_hair = rng.random() < (0.85 if gender == "women" else 0.05)
    beard = gender == "men" and rng.random() < 0.4
    face = random_features(gender, rng)
    return Appearance(body, rng.choice(SKIN_TONES), rng.choice(HAIR_COLOURS), long_hair, beard, face)


def _background(kind: str, width: int, height: int, rng: random.Random) -> np.ndarray:
    tone = np.array(rng.choice(list(COLOURS.values())), np.float32)
    if kind == "studio":
        light = rng.uniform(200, 245)
        return vertical_gradient(width, height, (light,) * 3, (light - 40,) * 3)
    if kind == "wall":
        pattern = rng.choice(PATTERNS[:4])
        base = tuple(int(v) for v in tone * 0.35 + 150)
        accent = tuple(int(min(255, v + 18)) for v in base)
        fabric = Fabric(pattern, base, accent, scale=rng.uniform(30, 90), motif_seed=rng.randrange(1 << 20))
        return render_fabric(fabric, height, width).astype(np.float32)
    if kind == "room":
        wall = tone * 0.3 + 160
        floor_y = int(height * rng.uniform(0.7, 0.9))
        bg = np.ones((height, width, 3), np.float32) * wall
        bg[floor_y:] = np.array(rng.choice(list(COLOURS.values())), np.float32) * 0.5 + 60
        return bg
    sky = vertical_gradient(width, height, (150, 190, 235), (225, 235, 245))
    horizon = int(height * rng.uniform(0.55, 0.8))
    sky[horizon:] = np.array((90, 120, 70) if rng.random() < 0.5 else (150, 150, 145), np.float32)
    return sky


def _distractors(background: np.ndarray, rng: random.Random, count: int) -> np.ndarray:
    """Bags, plants, lamps and boxes: shapes a detector must learn to ignore."""
    height, width = background.shape[:2]
    img = Image.fromarray(np.clip(background, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(img)
    for _ in range(count):
        colour = tuple(int(c) for c in rng.choice(list(COLOURS.values())))
        cx, cy = rng.uniform(0, width), rng.uniform(height * 0.3, height)
        size = rng.uniform(0.06, 0.2) * height
        kind = rng.choice(("bag", "plant", "lamp", "box"))
        if kind == "bag":
            draw.rectangle([cx - size / 2, cy - size / 3, cx + size / 2, cy + size / 3], fill=colour)
            draw.arc([cx - size / 3, cy - size * 0.7, cx + size / 3, cy], 180, 360, fill=colour, width=4)
        elif kind == "plant":
            draw.rectangle([cx - size / 4, cy, cx + size / 4, cy + size / 2], fill=(150, 90, 60))
            draw.ellipse([cx - size / 2, cy - size, cx + size / 2, cy + size * 0.1], fill=(50, 120, 60))
        elif kind == "lamp":
            draw.line([(cx, cy - size), (cx, cy + size)], fill=(60, 60, 60), width=4)
            draw.polygon([(cx - size / 3, cy - size), (cx + size / 3, cy - size), (cx, cy - size * 1.4)], fill=colour)
        else:
            draw.rectangle(
                [cx - size / 2, cy - size / 2, cx + size / 2, cy + size / 2], fill=colour, outline=(40, 40, 40)
            )
    return np.asarray(img, np.float32)


def _framing(width: int, height: int, rng: random.Random) -> Frame:
    """Full figure at varied size and place; sometimes cut at the knees or the head, as shops do."""
    shot = rng.random()
    if shot < 0.15:  # to the knees: big figure, head near the top
        scale = height * rng.uniform(1.05, 1.25)
        oy = height * rng.uniform(0.0, 0.05)
    elif shot < 0.25:  # head cut off at the top
        scale = height * rng.uniform(0.95, 1.15)
        oy = -scale * rng.uniform(0.06, 0.12)
    else:
        scale = height * rng.uniform(0.55, 0.95)
        oy = rng.uniform(0.02, 0.98) * (height - scale)
    ox = width * 0.5 + rng.uniform(-0.3, 0.3) * max(0.0, width - scale * 0.4)
    return Frame(scale, ox, oy)


def _photograph(image: Image.Image, rng: random.Random) -> tuple[Image.Image, int]:
    """Uneven light, a little blur and noise, then JPEG at a random quality."""
    arr = np.asarray(image, np.float32)
    h, w = arr.shape[:2]
    direction = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ramp = (np.cos(direction) * (xx / w - 0.5) + np.sin(direction) * (yy / h - 0.5)) * rng.uniform(0.0, 0.5)
    arr = arr * (1 + ramp[..., None]) * rng.uniform(0.8, 1.15)
    arr += np.random.default_rng(rng.randrange(1 << 30)).normal(0, rng.uniform(0, 8), arr.shape).astype(np.float32)
    out = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    radius = rng.choice((0, 0, 0.6, 1.0, 1.6))
    if radius:
        out = out.filter(ImageFilter.GaussianBlur(radius))
    quality = rng.randint(35, 95)
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB"), quality


def render_scene(outfit: Outfit, gender: str, rng: random.Random, width: int = 480, height: int = 640) -> Scene:
    """One lookbook photo of `outfit`; everything random is drawn from `rng`."""
    kind = rng.choice(BACKGROUNDS)
    background = _distractors(_background(kind, width, height, rng), rng, rng.randint(0, 3))
    facing = rng.choices(("front", "back", "side"), weights=(0.7, 0.15, 0.15))[0]
    pose = Pose(
        facing=facing,
        arm_across=rng.choice((-1, 1)) if facing == "front" and rng.random() < 0.3 else 0,
        folds_seed=rng.randrange(1 << 30),
    )
    figure = render_figure(
        outfit,
        random_appearance(gender, rng),
        width,
        height,
        frame=_framing(width, height, rng),
        background=background,
        pose=pose,
    )
    image, quality = _photograph(figure.image, rng)
    boxes = tuple(b for b in figure.boxes if b.x2 - b.x1 >= MIN_BOX_SIDE and b.y2 - b.y1 >= MIN_BOX_SIDE)
    return Scene(image, boxes, gender, facing, quality)
