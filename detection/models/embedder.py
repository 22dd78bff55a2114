"""The Siamese embedder at run time: a garment crop in, an L2-normalised vector out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from ..boxes import square_crop
from ..litert import TFLiteModel
from ..registry import ModelEntry, register


class Embedder:
    """The Siamese network's one tower, run in LiteRT."""

    def __init__(self, model_path: Path, threads: int = 1):
        self.model = TFLiteModel(model_path, threads)
        self.size = self.model.input_shape[1]

    @classmethod
    def from_entry(cls, entry: ModelEntry) -> Embedder:
        return cls(entry.path)

    def embed_batch(self, crops: np.ndarray) -> np.ndarray:
        """Rows of prepared `crops` (N x size x size x 3, RGB in [0, 1]) to unit vectors, one call each: the
        network alone, as training evaluates it."""
        out = np.concatenate([self.model.run(c[None])[0] for c in crops])
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    def predict(self, image: Image.Image, box: tuple[float, float, float, float] | None = None) -> np.ndarray:
        """The vector of the garment in `box` (or of the whole image, as for a catalog photo)."""
        return self.embed_batch(square_crop(image, box, self.size)[None])[0]


# The shipped embedder; its manifest entry's sha256 tags every stored vector, so a new model re-embeds.
embedder = register("embedder", Embedder.from_entry)
