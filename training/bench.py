"""Benchmark inputs and statistics: phone-sized photos of lookbook scenes, and percentiles."""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image

from shopthelook.servers import child_pids
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


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (the worker's pool), in MB: pages the pool child
    shares with the parent it forked from count twice."""
    return _summed(pid, "status", "VmRSS:")


def pss_mb(pid: int) -> float:
    """The same with each shared page split between the processes sharing it (Linux's proportional set
    size): the memory the worker takes from the machine."""
    return _summed(pid, "smaps_rollup", "Pss:")


def _summed(pid: int, file: str, field: str) -> float:
    total = 0
    for p in [pid, *child_pids(pid)]:
        for line in Path(f"/proc/{p}/{file}").read_text().splitlines():
            if line.startswith(field):
                total += int(line.split()[1])
    return total / 1024
