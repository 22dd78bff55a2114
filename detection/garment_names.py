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
from pathlib import Path

import numpy as np
from PIL import Image

from .article_types import ArticleGuess
from .boxes import square_crop
from .litert import TFLiteModel
from .registry import ModelEntry, register
from .sleeves import sleeved_types

Box = tuple[float, float, float, float]  # pixels: left, top, right, bottom


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

    def probabilities(self, image: Image.Image, box: Box | None, others: Sequence[Box] = ()) -> np.ndarray:
        """P(ImageNet class) of the box (with the crop's usual margin), or of the whole photo; the
        `others` garments' boxes are blanked first, so the classes are of this garment alone."""
        crop = square_crop(image.convert("RGB"), box, self.size, others if box is not None else ())
        return np.ravel(self.model.run(crop[None])[0])

    def name(self, image: Image.Image, box: Box, category: str) -> ArticleGuess | None:
        """The category's type whose ImageNet classes are likeliest, with their summed probability;
        None for a category the manifest maps no type of."""
        return self.read(image, box, category)[0]

    def read(
        self, image: Image.Image, box: Box, category: str, others: Sequence[Box] = (), forearms: float | None = None
    ) -> tuple[ArticleGuess | None, np.ndarray]:
        """(the name, as `name` gives it; every class's probability, which complete the look reads too),
        with the `others` garments' boxes blanked; the wearer's `forearms` (sleeves.forearm_skin) rule out
        the types of the other sleeve length."""
        p = self.probabilities(image, box, others)
        return (self.best_within(p, category, forearms) if self.types_by_category.get(category) else None), p

    def best_within(self, p: np.ndarray, category: str, forearms: float | None = None) -> ArticleGuess:
        """The likeliest type the sleeves allow, and its classes' summed probability (the ranking weighs
        the type by it: making the sleeves' choice surer cost the dev split's colour more than it gave)."""
        mass = {t: float(p[ids].sum()) for t, ids in self.types_by_category[category].items()}
        best = max(sleeved_types(mass, forearms) or mass, key=mass.get)  # sleeves rule out tops' types only
        return ArticleGuess(best, mass[best])


garment_namer = register("garment_namer", GarmentNamer.from_entry)
