"""Fabric textures as RGB arrays: solid, stripes, checks, dots, prints and denim."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

PATTERNS = ("solid", "stripes", "checks", "dots", "print", "denim")

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Fabric:
    """How a garment's cloth looks; `scale` is the pattern period in pixels at 400 px height."""

    pattern: str
    base: RGB
    accent: RGB
    scale: float = 18.0
    angle: float = 0.0  # stripe direction in degrees, 0 = horizontal bands
    motif_seed: int = 0


def render_fabric(fabric: Fabric, height: int, width: int, zoom: float = 1.0) -> np.ndarray:
    """An HxWx3 uint8 texture; `zoom` > 1 magnifies the weave, as a detail shot does."""
    period = max(3.0, fabric.scale * zoom * height / 400.0)
    yy, xx = _grid(height, width)
    base = np.array(fabric.base, np.float32)
    accent = np.array(fabric.accent, np.float32)
    rng = np.random.default_rng(fabric.motif_seed)
    if fabric.pattern == "solid":
        weight = np.zeros((height, width), np.float32)
    elif fabric.pattern == "stripes":
        theta = np.deg2rad(fabric.angle)
        u = yy * np.cos(theta) + xx * np.sin(theta)
        weight = ((u / period) % 1.0 < 0.42).astype(np.float32)
    elif fabric.pattern == "checks":
        bands_y = ((yy / period) % 1.0 < 0.5).astype(np.float32)
        bands_x = ((xx / period) % 1.0 < 0.5).astype(np.float32)
        fine = (((yy + xx) / 3.0) % 1.0 < 0.5).astype(np.float32) * 0.15
        weight = np.clip(0.45 * bands_y + 0.45 * bands_x + fine, 0, 1)
    elif fabric.pattern == "dots":
        cy = (yy % period) - period / 2
        row = np.floor(yy / period)
        cx = ((xx + (row % 2) * period / 2) % period) - period / 2
        weight = (cx * cx + cy * cy < (period * 0.22) ** 2).astype(np.float32)
    elif fabric.pattern == "print":
        weight = _scattered_motifs(height, width, period * 1.6, rng)
    elif fabric.pattern == "denim":
        twill = ((xx + yy) / max(2.0, period / 6)) % 1.0 < 0.5
        weight = twill.astype(np.float32) * 0.18 + rng.random((height, width), np.float32) * 0.12
        fade = np.exp(-(((xx / width - 0.5) * 3) ** 2)) * 0.25
        weight = np.clip(weight + fade[:, :], 0, 1)
        accent = np.clip(base * 1.9 + 30, 0, 255)
    else:
        raise ValueError(f"unknown pattern {fabric.pattern!r}")
    out = base * (1 - weight[..., None]) + accent * weight[..., None]
    grain = rng.integers(-5, 6, (height, width, 1), dtype=np.int8).astype(np.float32)
    return np.clip(out + grain, 0, 255).astype(np.uint8)


@lru_cache(maxsize=8)
def _grid(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    yy.setflags(write=False)
    xx.setflags(write=False)
    return yy, xx


def _scattered_motifs(height: int, width: int, period: float, rng: np.random.Generator) -> np.ndarray:
    """Small flowers, leaves and triangles on a jittered grid: a repeating all-over print."""
    yy, xx = _grid(height, width)
    cell_y = np.floor(yy / period)
    cell_x = np.floor(xx / period)
    # Per-cell jitter and motif kind, hashed from the cell so the print tiles consistently.
    h = (cell_y * 73856093 + cell_x * 19349663 + rng.integers(0, 1 << 20)) % 9973
    jy = (h % 7) / 7 * 0.4 + 0.3
    jx = (h % 11) / 11 * 0.4 + 0.3
    dy = yy / period - cell_y - jy
    dx = xx / period - cell_x - jx
    r = np.sqrt(dx * dx + dy * dy)
    kind = h % 3
    petal = 0.22 + 0.08 * np.cos(5 * np.arctan2(dy, dx))
    flower = r < petal
    leaf = (dx / 0.28) ** 2 + (dy / 0.12) ** 2 < 1
    tri = (dy > -0.2) & (dy < 0.2) & (np.abs(dx) < (0.2 - dy) * 0.6)
    return np.where(kind == 0, flower, np.where(kind == 1, leaf, tri)).astype(np.float32)
