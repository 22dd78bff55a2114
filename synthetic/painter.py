"""A small raster painter: anti-aliased polygons filled with fabric, soft shading and a label map."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .garments import Polygon

SUPERSAMPLE = 2


@dataclass(frozen=True)
class Frame:
    """Maps body units to pixels: px = ox + x * scale, py = oy + y * scale."""

    scale: float
    ox: float
    oy: float
    squeeze: float = 1.0  # horizontal foreshortening: 1 seen from the front, ~0.55 from the side

    def apply(self, poly: Polygon) -> list[tuple[float, float]]:
        sx = self.scale * self.squeeze
        return [(self.ox + x * sx, self.oy + y * self.scale) for x, y in poly]

    @classmethod
    def fit(cls, polys: list[Polygon], width: int, height: int, margin: float = 0.08) -> Frame:
        """The frame that centres `polys` in the canvas with a margin on every side."""
        xs = [x for p in polys for x, _ in p]
        ys = [y for p in polys for _, y in p]
        w, h = max(xs) - min(xs), max(ys) - min(ys)
        scale = min(width * (1 - 2 * margin) / max(w, 1e-6), height * (1 - 2 * margin) / max(h, 1e-6))
        ox = width / 2 - (min(xs) + w / 2) * scale
        oy = height / 2 - (min(ys) + h / 2) * scale
        return cls(scale, ox, oy)


def vertical_gradient(width: int, height: int, top: tuple[int, int, int], bottom: tuple[int, int, int]) -> np.ndarray:
    t = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
    return np.array(top, np.float32) * (1 - t) + np.array(bottom, np.float32) * t * np.ones((1, width, 1), np.float32)


class Painter:
    """Composites layers back to front; `labels` records which layer owns each pixel."""

    def __init__(self, width: int, height: int, background: np.ndarray | tuple[int, int, int]):
        self.width, self.height = width, height
        if isinstance(background, np.ndarray):
            self.rgb = background.astype(np.float32).copy()
        else:
            self.rgb = np.ones((height, width, 3), np.float32) * np.array(background, np.float32)
        self.labels = np.zeros((height, width), np.int16)

    def mask(
        self, polys_px: list[list[tuple[float, float]]], ellipses: list[tuple[float, float, float, float]] = ()
    ) -> np.ndarray:
        """Coverage in [0, 1] of polygons and ellipses (cx, cy, rx, ry) given in pixels."""
        s = SUPERSAMPLE
        img = Image.new("L", (self.width * s, self.height * s), 0)
        draw = ImageDraw.Draw(img)
        for poly in polys_px:
            draw.polygon([(x * s, y * s) for x, y in poly], fill=255)
        for cx, cy, rx, ry in ellipses:
            draw.ellipse([(cx - rx) * s, (cy - ry) * s, (cx + rx) * s, (cy + ry) * s], fill=255)
        small = img.resize((self.width, self.height), Image.Resampling.BOX)
        return np.asarray(small, np.float32) / 255.0

    def fill(
        self,
        coverage: np.ndarray,
        texture: np.ndarray | tuple[int, int, int],
        label: int = 0,
        shade: float = 0.3,
        outline: float = 0.35,
    ) -> None:
        """Paint `texture` where `coverage` is set, rounded by edge shading and a dark outline."""
        box = label_box((coverage > 0).astype(np.int16), {1})
        if box is None:
            return
        # Work only on the covered region (plus room for the blur) rather than the whole canvas.
        radius = max(2.0, 0.018 * self.height)
        pad = int(3 * radius) + 2
        x1, y1 = max(0, box[0] - pad), max(0, box[1] - pad)
        x2, y2 = min(self.width, box[2] + pad), min(self.height, box[3] + pad)
        cov = coverage[y1:y2, x1:x2]
        if isinstance(texture, tuple):
            tex = np.broadcast_to(np.array(texture, np.float32), (*cov.shape, 3))
        else:
            tex = texture[y1:y2, x1:x2].astype(np.float32)
        light = np.ones_like(cov)
        if shade > 0:
            m = Image.fromarray((cov * 255).astype(np.uint8))
            soft = np.asarray(m.filter(ImageFilter.GaussianBlur(radius)), np.float32) / 255.0
            light = 1.0 - shade * (1.0 - np.clip(soft * 1.6 - 0.3, 0, 1))
        if outline > 0:
            light = light * (1.0 - outline * np.clip(cov - _erode(cov), 0, 1))
        a = cov[..., None]
        region = self.rgb[y1:y2, x1:x2]
        region *= 1 - a
        region += tex * light[..., None] * a
        if label:
            self.labels[y1:y2, x1:x2][cov > 0.5] = label

    def image(self) -> Image.Image:
        return Image.fromarray(np.clip(self.rgb, 0, 255).astype(np.uint8), "RGB")


def _erode(a: np.ndarray) -> np.ndarray:
    """Minimum over each pixel's 4-neighbourhood: a one-pixel erosion."""
    out = a.copy()
    out[1:, :] = np.minimum(out[1:, :], a[:-1, :])
    out[:-1, :] = np.minimum(out[:-1, :], a[1:, :])
    out[:, 1:] = np.minimum(out[:, 1:], a[:, :-1])
    out[:, :-1] = np.minimum(out[:, :-1], a[:, 1:])
    return out


def label_box(labels: np.ndarray, wanted: set[int]) -> tuple[int, int, int, int] | None:
    """The pixel box (x1, y1, x2, y2) around every pixel whose label is in `wanted`."""
    hit = np.isin(labels, list(wanted))
    if not hit.any():
        return None
    ys = np.flatnonzero(hit.any(axis=1))
    xs = np.flatnonzero(hit.any(axis=0))
    return int(xs[0]), int(ys[0]), int(xs[-1]) + 1, int(ys[-1]) + 1
