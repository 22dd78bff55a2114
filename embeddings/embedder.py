"""The Siamese embedder at run time: a garment crop in, an L2-normalised vector out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from detection.boxes import square_crop
from detection.litert import TFLiteModel
from detection.registry import ModelEntry, register


class Embedder:
    """The Siamese network's one tower, run in LiteRT."""

    def __init__(self, model_path: Path, threads: int = 1):
        self.model = TFLiteModel(model_path, threads)
        self.size = self.model.input_shape[1]

    @classmethod
    def from_entry(cls, entry: ModelEntry) -> Embedder:
        return cls(entry.path)

    def embed_batch(self, crops: np.ndarray) -> np.ndarray:
        """Rows of `crops` (N x size x size x 3, RGB in [0, 1]) to unit vectors, one call each."""
        out = np.concatenate([self.model.run(c[None])[0] for c in crops])
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    def embed(self, image: Image.Image, box: tuple[float, float, float, float] | None = None) -> np.ndarray:
        """The vector of the garment in `box` (or of the whole image, as for a catalog photo)."""
        return self.embed_batch(square_crop(image, box, self.size)[None])[0]


# The shipped embedder; its manifest entry's sha256 tags every stored vector, so a new model re-embeds.
embedder = register("embedder", Embedder.from_entry)

# A recommendation is an "exact match" when it is first, leads the runner-up by a clear margin,
# and is itself as similar as true matches are. The lead alone is not enough: a real photo against
# a catalog that cannot hold its garment still has a first result that leads. Both values are
# calibrated on the lookbook's validation split (`calibrate_exact_match`) and kept in the manifest;
# these defaults only apply to a manifest without them, and never label a match exact.
DEFAULT_EXACT_MATCH_MARGIN = 0.05


@dataclass(frozen=True)
class ExactMatchRule:
    margin: float  # the first result's least lead over the second
    min_similarity: float  # the least similarity of the first result itself

    def is_exact(self, first: float, second: float | None) -> bool:
        return first >= self.min_similarity and first - (second if second is not None else 0.0) >= self.margin


def exact_match_rule() -> ExactMatchRule:
    calibrated = embedder.entry.calibrated("exact_match")
    if calibrated.get("criterion") != "margin":
        return ExactMatchRule(DEFAULT_EXACT_MATCH_MARGIN, float("inf"))
    return ExactMatchRule(float(calibrated["threshold"]), float(calibrated.get("min_similarity", float("inf"))))
