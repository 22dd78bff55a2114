"""Catalog photos of a demo product: front, back, side, detail and a model shot."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw

from .designs import DemoProduct
from .figure import Outfit, model_shot
from .garment_marks import draw_back_details, draw_top_details, fabric_zoom
from .garments import Body, bottom_polygons, shoe_profile, top_polygons
from .painter import Frame, Painter
from .shoes import profile_trims
from .textures import render_fabric

WIDTH, HEIGHT = 320, 400
STUDIO = (246, 246, 244)


def _flat_polys(product: DemoProduct, view: str) -> list:
    body = Body.typical(product.gender, arm_angle=32.0, leg_spread=0.05)
    if product.category == "topwear":
        polys = top_polygons(product.cut, body, back=view == "back")
    else:
        polys = bottom_polygons(product.article_type, product.cut, body)
    if view == "side":  # a turned garment: narrower, one sleeve or leg in front
        polys = [[(x * 0.45, y) for x, y in q] for q in polys]
        polys = polys[:1] + polys[-1:]
    return polys


def _side_light(width: int, height: int, from_left: bool) -> np.ndarray:
    ramp = np.linspace(1.08, 0.88, width, dtype=np.float32)
    return np.broadcast_to((ramp if from_left else ramp[::-1])[None, :, None], (height, width, 1))


def _render_garment(product: DemoProduct, view: str) -> Image.Image:
    polys = _flat_polys(product, view)
    frame = Frame.fit(polys, WIDTH, HEIGHT)
    painter = Painter(WIDTH, HEIGHT, STUDIO)
    tex = Image.fromarray(render_fabric(product.fabric, HEIGHT, WIDTH, zoom=fabric_zoom(frame.scale, HEIGHT)))
    if view == "front" and product.category == "topwear":
        draw_top_details(ImageDraw.Draw(tex), product.cut, frame, product.fabric.base)
    elif view == "back":
        draw_back_details(ImageDraw.Draw(tex), product, frame)
    lit = np.asarray(tex, np.float32) * _side_light(WIDTH, HEIGHT, from_left=view != "back")
    painter.fill(painter.mask([frame.apply(q) for q in polys]), lit)
    return painter.image()


def _render_shoe(product: DemoProduct, view: str) -> Image.Image:
    upper, sole = shoe_profile(product.article_type, product.cut)
    painter = Painter(WIDTH, HEIGHT, STUDIO)
    tex = render_fabric(product.fabric, HEIGHT, WIDTH).astype(np.float32)
    sole_colour = product.trim.sole if product.trim else (40, 36, 34)
    if view == "back":  # heel-on: a narrow rounded block
        top = min(y for _, y in upper)
        upper = [(0.35, top), (0.65, top), (0.68, 0.9), (0.32, 0.9)]
        sole = [(0.32, 0.88), (0.68, 0.88), (0.68, 1.0), (0.32, 1.0)]
    trims = profile_trims(product, upper, heel_on=view == "back")
    placements = [(0.0, 0.0, 1.0)]
    if view == "front":  # the pair, one shoe behind the other
        placements = [(-0.12, -0.08, 0.9), (0.05, 0.05, 1.0)]
    for dx, dy, k in placements:
        parts = [[(dx + x * k, dy + y * k) for x, y in q] for q in (upper, sole)]
        frame = Frame.fit([[(-0.15, -0.2), (1.05, 1.1)]], WIDTH, HEIGHT, margin=0.1)
        painter.fill(painter.mask([frame.apply(parts[0])]), tex)
        for colour, poly in trims:
            painter.fill(painter.mask([frame.apply([(dx + x * k, dy + y * k) for x, y in poly])]), colour, shade=0.05)
        painter.fill(painter.mask([frame.apply(parts[1])]), sole_colour, shade=0.1)
    return painter.image()


def _render_detail(product: DemoProduct) -> Image.Image:
    tex = Image.fromarray(render_fabric(product.fabric, HEIGHT, WIDTH, zoom=3.0))
    draw = ImageDraw.Draw(tex)
    dark = tuple(int(c * 0.5) for c in product.fabric.base)
    # A seam with stitching across the close-up, as detail shots usually show.
    y = HEIGHT * 0.62
    draw.line([(0, y), (WIDTH, y - 30)], fill=dark, width=3)
    for x in range(0, WIDTH, 14):
        draw.line([(x, y - 8 - x * 30 / WIDTH), (x + 7, y - 8 - (x + 7) * 30 / WIDTH)], fill=(230, 226, 210), width=1)
    return tex


def render_view(product: DemoProduct, view: str, outfit: Outfit | None = None) -> Image.Image:
    """One catalog photo of `product`; the same product, view and outfit always give the same pixels.
    A model shot wears `outfit` (the stylist's), or house garments when there is none."""
    if view == "model":
        return model_shot(product, WIDTH, HEIGHT, index=int(product.family[2:]), outfit=outfit).image
    if view == "detail":
        return _render_detail(product)
    if product.category == "footwear":
        return _render_shoe(product, view)
    return _render_garment(product, view)


def view_jpeg(product: DemoProduct, view: str, quality: int = 88, outfit: Outfit | None = None) -> bytes:
    buf = io.BytesIO()
    render_view(product, view, outfit).save(buf, "JPEG", quality=quality)
    return buf.getvalue()
