"""A garment's colours as complete the look weighs them: a lightness x colour-class histogram and its texture.

The embedder's vectors are trained to tell products apart, not to say whether two garments go
together, and they carry too little of what stylists dress by: how light a garment is, whether
its colour is a neutral (and a warm or a cool one) or an accent, whether it is patterned. This
descriptor reads exactly that from the pixels, with no learning and no product attributes:

- every garment pixel (the backdrop around it dropped) is put in one of `CLASSES` by its chroma
  and hue in CIELAB: achromatic, muted warm (browns, beiges, khaki), muted cool (navy, denim),
  or a vivid hue in one of six sectors;
- and spread over `LIGHTNESS_BINS` by its lightness (each pixel shared between the two nearest);
- the histogram of the two, plus the spread of lightness over the garment in `TEXTURE_BINS`
  (solid, textured, patterned), is the descriptor: `SIZE` non-negative numbers, each of the two blocks summing to 1.

The compatibility model learns from these, per pair of categories, tables such as "two vivid
garments rarely go together" or "a light top goes over dark trousers": a bilinear score over
one-hot-like histograms can hold any table over their bins, which raw colour numbers cannot.
Worn garments are read from the part of their box the garment fills (a top's chest, a bottom's
upper legs); catalog photos from everything off the photo's backdrop.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

from .taxonomy import CATEGORIES

LIGHTNESS_BINS = np.array([0.0, 0.25, 0.5, 0.75, 1.0])  # CIELAB L / 100
CLASSES = ("achromatic", "muted warm", "muted cool", *(f"hue {h}" for h in range(0, 360, 60)))
TEXTURE_BINS = np.array([0.0, 0.06, 0.15])  # the spread of lightness (L / 100): solid, textured, patterned
HISTOGRAM = len(LIGHTNESS_BINS) * len(CLASSES)
SIZE = HISTOGRAM + len(TEXTURE_BINS)
# Raise with any change to what the colours read: a lookbook's cached colours are then read again (a
# catalog's with `rebuild_index --all`), and the compatibility model must be trained again.
VERSION = 1

ACHROMATIC_CHROMA, VIVID_CHROMA = 10.0, 32.0  # CIELAB chroma
WARM_HUES = (20.0, 100.0)  # degrees: orange to yellow, where browns, beiges and khaki sit
# Where a worn garment shows itself, as a share of its box (left, top, right, bottom): arms, skin
# and the gap between the legs stay out. And the categories read without the colour around them.
WORN_REGIONS = {c.name: c.colour_region for c in CATEGORIES}
OFF_BACKDROP = frozenset(c.name for c in CATEGORIES if c.colour_off_backdrop)
BACKDROP_DISTANCE = 8.0  # CIELAB distance from the border's colour within which a pixel is backdrop
# CIELAB distance from the wearer's skin (read beside the nose) within which a worn pixel is skin, not
# garment: a neck, an arm or a face in the box read as khaki or beige. Chosen on the real dev split's
# labelled boxes: the catalog colour name read first was right 0.65 of the time without, 0.69 at 15,
# 0.71 at 20, 0.67 at 25.
SKIN_DISTANCE = 20.0
SKIN_KEPT = 0.2  # a garment that leaves less than this share of its pixels is read whole (a skin-toned one)
MAX_SIDE = 96  # pixels: the descriptor is a histogram, so a small image reads the same


def lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (L 0-100, D65) of sRGB pixels (..., 3, 0-255)."""
    c = np.asarray(rgb, np.float32) / 255.0
    c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = (
        c
        @ np.array([[0.4124, 0.2126, 0.0193], [0.3576, 0.7152, 0.1192], [0.1805, 0.0722, 0.9505]], np.float32)
        / np.array([0.9505, 1.0, 1.089], np.float32)
    )
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1)


def _triangular(values: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Each value shared between its two nearest centres, linearly (N x len(centres), rows sum to 1)."""
    values = np.clip(values, centres[0], centres[-1])
    right = np.clip(np.searchsorted(centres, values, side="right"), 1, len(centres) - 1)
    left = right - 1
    t = (values - centres[left]) / (centres[right] - centres[left])
    out = np.zeros((len(values), len(centres)), np.float32)
    out[np.arange(len(values)), left] = 1 - t
    out[np.arange(len(values)), right] += t
    return out


def colour_class(lab_pixels: np.ndarray) -> np.ndarray:
    """Index into CLASSES of each CIELAB pixel (N x 3)."""
    a, b = lab_pixels[:, 1], lab_pixels[:, 2]
    chroma = np.hypot(a, b)
    hue = np.degrees(np.arctan2(b, a)) % 360
    warm = (hue >= WARM_HUES[0]) & (hue < WARM_HUES[1])
    vivid = 3 + (hue // 60).astype(int)
    muted = np.where(warm, 1, 2)
    return np.where(chroma < ACHROMATIC_CHROMA, 0, np.where(chroma < VIVID_CHROMA, muted, vivid))


def describe_pixels(lab_pixels: np.ndarray) -> np.ndarray:
    """The descriptor (SIZE,) of a garment's CIELAB pixels (N x 3); all zeros for none."""
    out = np.zeros(SIZE, np.float32)
    if len(lab_pixels) == 0:
        return out
    lightness = _triangular(lab_pixels[:, 0] / 100.0, LIGHTNESS_BINS)  # N x bins
    onehot = np.eye(len(CLASSES), dtype=np.float32)[colour_class(lab_pixels)]  # N x classes
    out[:HISTOGRAM] = (lightness.T @ onehot).ravel() / len(lab_pixels)
    # The standard deviation: a pattern spreads it, and so does the garment's edge blending into the
    # backdrop (the interquartile range, blind to edges, was 0.02 worse on validation outfits).
    out[HISTOGRAM:] = _triangular(np.array([lab_pixels[:, 0].std() / 100.0]), TEXTURE_BINS)[0]
    return out


def _off_backdrop(pixels: np.ndarray) -> np.ndarray:
    """The pixels (H x W x 3 CIELAB) of an image region not of the colour its border mostly has."""
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    backdrop = np.median(border, axis=0)
    flat = pixels.reshape(-1, 3)
    keep = np.linalg.norm(flat - backdrop, axis=1) > BACKDROP_DISTANCE
    return flat[keep] if keep.mean() > 0.05 else flat  # a region all of one colour is the garment


def _small(image: Image.Image) -> np.ndarray:
    image = image.convert("RGB")
    scale = MAX_SIDE / max(image.size)
    if scale < 1:
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))))
    return lab(np.asarray(image))


def product_colours(image: Image.Image) -> np.ndarray:
    """The descriptor of a catalog photo: a garment on a plain backdrop (or a detail shot filling it)."""
    return describe_pixels(_off_backdrop(_small(image)))


def skin_colour(image: Image.Image, nose: Sequence[float], eye_distance: float) -> tuple[float, float, float] | None:
    """The wearer's skin in CIELAB: the median of the cheeks and nose under the eyes (None when too small)."""
    r = max(2.0, 0.5 * eye_distance)
    x, y = float(nose[0]), float(nose[1])
    patch = image.crop((round(x - r), round(y - 0.2 * r), round(x + r), round(y + r)))
    if patch.width < 2 or patch.height < 2:
        return None
    lightness, a, b = np.median(lab(np.asarray(patch.convert("RGB"))).reshape(-1, 3), axis=0)
    return float(lightness), float(a), float(b)


def worn_colours(
    image: Image.Image,
    box: tuple[float, float, float, float],
    category: str,
    skin: Sequence[float] | None = None,
) -> np.ndarray:
    """The descriptor of a garment worn in `image`, boxed by `box` (pixels: left, top, right, bottom); with the
    wearer's `skin` (CIELAB), the pixels of that colour are left out."""
    left, top, right, bottom = box
    rl, rt, rr, rb = WORN_REGIONS.get(category, (0.0, 0.0, 1.0, 1.0))
    w, h = right - left, bottom - top
    region = (left + rl * w, top + rt * h, left + rr * w, top + rb * h)
    crop = image.crop(tuple(round(v) for v in region))
    if crop.width < 2 or crop.height < 2:
        return np.zeros(SIZE, np.float32)
    pixels = _small(crop)
    pixels = _off_backdrop(pixels) if category in OFF_BACKDROP else pixels.reshape(-1, 3)
    if skin is not None:
        garment = np.linalg.norm(pixels - np.asarray(skin, np.float32), axis=1) > SKIN_DISTANCE
        if garment.mean() >= SKIN_KEPT:
            pixels = pixels[garment]
    return describe_pixels(pixels)
