"""A worn garment's article type ("Jacket", not "Topwear"), read by the ImageNet classifier's garment classes.

Our own models name real garments badly: on the labelled real photos, the type of a garment's
closest catalog product was right 2 times in 22 and the article classifier 2 in 24 (both only
ever saw rendered garments). The ImageNet classifier has seen real suits, jerseys, jeans and
running shoes. The manifest maps some of its classes to each of our types (written from the class
names before any photo was read); a garment's type is the one whose classes take most of the
probability, among its category's types. Types no class maps to (shirts, heels) are never read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ..boxes import square_crop
from ..litert import TFLiteModel
from ..registry import ModelEntry, register
from ..sleeves import sleeved_types
from .article_types import ArticleGuess

Box = tuple[float, float, float, float]  # pixels: left, top, right, bottom


@dataclass(frozen=True)
class GarmentReading:
    """What the namer reads of a garment: its type (None when not asked or none maps), and every
    ImageNet class's probability, which complete the look reads too."""

    guess: ArticleGuess | None
    classes: np.ndarray


class GarmentNamer:
    def __init__(self, model_path: Path, types_by_category: dict[str, dict[str, list[int]]]):
        self.model = TFLiteModel(model_path)
        self.size = self.model.input_shape[1]
        # Only types with classes take part: an empty list could never win anyway.
        self.types_by_category = {
            category: {t: np.asarray(ids, int) for t, ids in types.items() if ids}
            for category, types in types_by_category.items()
        }

    @classmethod
    def from_entry(cls, entry: ModelEntry) -> GarmentNamer:
        return cls(entry.path, entry.info["types_by_category"])

    def predict(
        self,
        image: Image.Image,
        box: Box | None = None,
        category: str | None = None,
        others: Sequence[Box] = (),
        forearms: float | None = None,
    ) -> GarmentReading:
        """The garment in `box` (with the crop's usual margin), or the whole photo (a catalog photo).

        Its classes are read with the `others` garments' boxes blanked, so they are of this garment alone.
        With its `category`, its type too: the category's type whose ImageNet classes are likeliest, with
        their summed probability, the wearer's `forearms` (sleeves.forearm_skin) ruling out the types of
        the other sleeve length; None for a category the manifest maps no type of.
        """
        crop = square_crop(image.convert("RGB"), box, self.size, others if box is not None else ())
        p = np.ravel(self.model.run(crop[None])[0])
        named = category is not None and self.types_by_category.get(category)
        return GarmentReading(self.best_within(p, category, forearms) if named else None, p)

    def best_within(self, p: np.ndarray, category: str, forearms: float | None = None) -> ArticleGuess:
        """The likeliest type the sleeves allow, and its classes' summed probability (the ranking weighs
        the type by it: making the sleeves' choice surer cost the dev split's colour more than it gave)."""
        mass = {t: float(p[ids].sum()) for t, ids in self.types_by_category[category].items()}
        best = max(sleeved_types(mass, forearms) or mass, key=mass.get)  # sleeves rule out tops' types only
        return ArticleGuess(best, mass[best])


garment_namer = register("garment_namer", GarmentNamer.from_entry)
