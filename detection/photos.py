"""Decode an untrusted photo into a clean RGB image, or say exactly why it is refused.

Shared by shopper uploads and scraped product photos. Nothing here touches the disk: the caller
stores the re-encoded JPEG only once the photo has passed, so a refused photo leaves no trace.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, ImageSequence

# What phones, cameras and the web send. HEIC (iPhone's default) needs a plugin Pillow lacks;
# the browser converts it when the upload page's file picker asks for image/jpeg.
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "GIF"})


class PhotoRejected(ValueError):
    """A photo we will not process; the message is fit to show the person who sent it."""


@dataclass(frozen=True)
class PhotoLimits:
    max_bytes: int
    max_pixels: int
    formats: frozenset[str] = ACCEPTED_FORMATS
    max_side: int | None = None  # shrink larger photos to this before encoding (None: keep the size)
    min_side: int = 0  # refuse photos whose shorter side is below this (too small to show an outfit)


@dataclass(frozen=True)
class CleanPhoto:
    """A decoded photo as an upright RGB JPEG with no metadata (EXIF, GPS, ICC) left in it."""

    image: Image.Image
    jpeg: bytes

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height


def _to_rgb(image: Image.Image) -> Image.Image:
    """Any mode to 8-bit RGB: 16-bit and float scaled down, transparency flattened onto white."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        values = np.asarray(image, dtype=np.float64)
        top = 65535.0 if image.mode.startswith("I;16") or values.max() > 255 else 255.0
        image = Image.fromarray(np.clip(values / top * 255.0 + 0.5, 0, 255).astype(np.uint8), "L")
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("RGBA", "LA", "PA", "RGBa"):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image.convert("RGB")  # CMYK, YCbCr, L, 1 and RGB itself


def decode_photo(data: bytes, limits: PhotoLimits) -> CleanPhoto:
    if not data:
        raise PhotoRejected("the file is empty")
    if len(data) > limits.max_bytes:
        raise PhotoRejected(f"the file is {len(data):,} bytes; the limit is {limits.max_bytes:,}")
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice it; we refuse at our own limit.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format or "unknown"
                if fmt not in limits.formats:
                    allowed = ", ".join(sorted(limits.formats))
                    raise PhotoRejected(f"{fmt} images are not supported; send one of {allowed}")
                width, height = probe.size
                if width * height > limits.max_pixels:
                    raise PhotoRejected(f"{width}x{height} is over the {limits.max_pixels:,} pixel limit")
                if min(width, height) < limits.min_side:
                    raise PhotoRejected(
                        f"it is {width}x{height} pixels, too small to show an outfit; "
                        f"send one at least {limits.min_side} pixels on its shorter side"
                    )
                # An animation is judged by its first frame, as a shopper sees it in a thumbnail.
                frame = next(iter(ImageSequence.Iterator(probe)))
                frame.load()
                upright = ImageOps.exif_transpose(frame)
                image = _to_rgb(upright)
    except PhotoRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoRejected(f"the image is over the {limits.max_pixels:,} pixel limit") from exc
    except Image.UnidentifiedImageError as exc:
        raise PhotoRejected("the file is not an image") from exc
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise PhotoRejected(f"the image is corrupt or truncated ({exc})") from exc
    if limits.max_side is not None and max(image.size) > limits.max_side:
        image.thumbnail((limits.max_side, limits.max_side), Image.Resampling.LANCZOS)
    image.info.clear()  # Pillow writes a comment it finds there (a camera's owner or serial) into the new file
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)  # a fresh file: no EXIF (location), XMP, ICC or comment carried over
    return CleanPhoto(image, out.getvalue())
