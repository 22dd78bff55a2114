"""Benchmark inputs and statistics: phone-sized photos of lookbook scenes, and percentiles."""

from __future__ import annotations

import random

from PIL import Image

from synthetic.designs import DemoProduct, generate_catalog
from synthetic.scenes import render_scene
from synthetic.stylist import random_outfit


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile `q` (0-100) of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def photos(
    count: int, width: int = 1280, height: int = 960, products: list[DemoProduct] | None = None, seed: int = 2024
) -> list[Image.Image]:
    """Lookbook scenes wearing `products` (default: a catalog of their own) blown up to a phone photo's size."""
    rng = random.Random(seed)
    pool: dict = {}
    for p in products if products is not None else generate_catalog(120, seed=99):
        pool.setdefault((p.gender, p.category), []).append(p)
    out = []
    for _ in range(count):
        gender = rng.choice(("men", "women"))
        scene = render_scene(random_outfit(pool, gender, rng), gender, rng, 480, 640)
        canvas = Image.new("RGB", (width, height), (200, 200, 200))
        canvas.paste(scene.image.resize((720, 960)), ((width - 720) // 2, 0))
        out.append(canvas)
    return out
