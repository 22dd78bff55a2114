"""A garment as matching and complete the look compare it: its vector, colours, ImageNet classes and article type.

One reader for a garment worn in a shopper's photo (the worker) and for a product's catalog photo
(ingest), so the two are read alike; `feature_codec` stores what it reads. No Django here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from detection.boxes import Box, masked_crop
from detection.garment_colours import product_colours, worn_colours
from detection.models.embedder import embedder
from detection.models.garment_names import garment_namer
from detection.threads import timed

CATALOG_BACKDROP = (246, 246, 244)  # the studio grey of the catalog's product photos
MaskOver = Callable[[tuple[float, float, float, float], int, int], np.ndarray]


@dataclass(frozen=True)
class GarmentFeatures:
    """What is read of one garment. A worn garment's vector is embedded apart (on the scene's second
    thread), so it may be None here; a product's type is the shop's, so it has none from the namer."""

    colours: np.ndarray  # garment_colours.SIZE
    classes: np.ndarray  # the garment namer's ImageNet probabilities
    vector: np.ndarray | None = None
    article_type: str = ""
    article_score: float | None = None


def read_worn(
    image: Image.Image,
    box: Box,
    others: Sequence[tuple[float, float, float, float]] = (),
    skin: Sequence[float] | None = None,
    forearms: float | None = None,
    timings: dict[str, float] | None = None,
) -> GarmentFeatures:
    """A garment worn in a photo, all but its vector: its colours where it shows (the wearer's `skin` left
    out), and its type and classes with the `others` garments blanked (complete the look must read this
    one, not its neighbours); `forearms` is the bare-arm share the namer reads sleeves by."""
    with timed(timings, "colours"):
        colours = worn_colours(image, box.as_tuple(), box.label, skin)
    with timed(timings, "name"):
        read = garment_namer().predict(image, box.as_tuple(), box.label, list(others), forearms)
    if read.guess is None:
        return GarmentFeatures(colours, read.classes)
    return GarmentFeatures(
        colours, read.classes, article_type=read.guess.article_type, article_score=round(read.guess.score, 4)
    )


def embed_worn(image: Image.Image, box: Box, mask_over: MaskOver | None = None) -> np.ndarray:
    """A worn garment's vector: of its crop, or, with the person mask, of its crop on the catalog's backdrop."""
    if mask_over is None:
        return embedder().predict(image, box.as_tuple())
    return embedder().predict(masked_crop(image, box.as_tuple(), mask_over, CATALOG_BACKDROP), None)


def read_product_photo(photo: Image.Image) -> GarmentFeatures:
    """A catalog photo, which shows the one garment on the shop's backdrop: all of it is read."""
    return GarmentFeatures(
        product_colours(photo), garment_namer().predict(photo).classes, vector=embedder().predict(photo)
    )
