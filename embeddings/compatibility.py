"""Complete the look at run time: which catalog products go with the garments a shopper wears.

The model is type-aware and bilinear. For a worn garment `a` of category `ca` and a catalog photo
`b` of another category `cb` (both embedder vectors):

    score(a, b) = (Q[ca→cb] a) · (P[ca→cb] b) + w[cb] · b

Q and P project the two embeddings into a small space of their own for each ordered pair of
categories (what makes a top go with shoes is not what makes it go with trousers); `w` is how
well `b` goes with anything. Summed over the garments present, the score is still linear in `b`:

    score(outfit, b) = q · b   with   q = Σ P[ca→cb]ᵀ Q[ca→cb] a  +  w[cb]

so one search of the vector index with `q` ranks the whole partition by compatibility, exactly.

A garment's features may be more than its embedder vector: the shipped model reads the vector
followed by the garment's colours (detection.garment_colours: a lightness x colour-class
histogram), because the vector carries too little of what stylists dress by. The score is still
linear in the candidate's features; the vector index holds only the vector part, so the app
searches with that part and re-scores the partition's best with the whole (shopthelook.completion).
The weights are a NumPy file (.npz) in weights/, trained by `manage.py train_compatibility`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from detection.registry import ModelEntry, register

CATEGORIES = ("topwear", "bottomwear", "footwear")


def pair_key(query: str, target: str) -> str:
    return f"{query}->{target}"


class CompatibilityModel:
    """Q and P per ordered category pair, w per target category; all float32 NumPy arrays. The
    features they read are an embedder vector followed by `colour_size` colour numbers (none: 0)."""

    def __init__(
        self, q: dict[str, np.ndarray], p: dict[str, np.ndarray], w: dict[str, np.ndarray], colour_size: int = 0
    ):
        self.q, self.p, self.w, self.colour_size = q, p, w, colour_size
        # Pᵀ Q once per pair: a query vector is then one matrix-vector product per garment.
        self._maps = {key: p[key].T @ q[key] for key in q}

    @classmethod
    def from_file(cls, path: Path) -> CompatibilityModel:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name].astype(np.float32) for name in data.files}
        q = {k[2:]: v for k, v in arrays.items() if k.startswith("Q:")}
        p = {k[2:]: v for k, v in arrays.items() if k.startswith("P:")}
        w = {k[2:]: v for k, v in arrays.items() if k.startswith("w:")}
        if not q or set(q) != set(p) or not w:
            raise ValueError(f"{path} holds no compatibility model (Q:, P: and w: arrays)")
        return cls(q, p, w, int(arrays["colour_size"]) if "colour_size" in arrays else 0)

    @classmethod
    def from_entry(cls, entry: ModelEntry) -> CompatibilityModel:
        return cls.from_file(entry.path)

    def save(self, path: Path) -> None:
        arrays = {f"Q:{k}": v for k, v in self.q.items()}
        arrays |= {f"P:{k}": v for k, v in self.p.items()}
        arrays |= {f"w:{k}": v for k, v in self.w.items()}
        arrays["colour_size"] = np.array(self.colour_size)
        with path.open("wb") as fh:
            np.savez(fh, **{k: np.asarray(v, np.float32) for k, v in arrays.items()})

    def features(self, vector: np.ndarray, colours: np.ndarray | None) -> np.ndarray:
        """What the model reads of a garment: its embedder vector, then its colours (zeros when unknown)."""
        vector = np.asarray(vector, np.float32)
        if not self.colour_size:
            return vector
        if colours is None or len(colours) != self.colour_size:
            colours = np.zeros(self.colour_size, np.float32)
        return np.concatenate([vector, np.asarray(colours, np.float32)])

    def vector_part(self, query: np.ndarray) -> np.ndarray:
        """The part of a query vector that meets a candidate's embedder vector (what the vector index holds)."""
        return query[: len(query) - self.colour_size]

    def query_vector(self, worn: Sequence[tuple[str, np.ndarray]], target: str) -> np.ndarray:
        """The vector whose inner product with a `target` photo's features is its score with the `worn`
        garments ((category, features) pairs); garments of the target's own category are left out."""
        q = self.w[target].astype(np.float32).copy()
        for category, vector in worn:
            key = pair_key(category, target)
            if key in self._maps:
                q += self._maps[key] @ np.asarray(vector, np.float32)
        return q

    def scores(self, worn: Sequence[tuple[str, np.ndarray]], target: str, photos: np.ndarray) -> np.ndarray:
        """Score of each row of `photos` (N x features) as the `target` garment completing `worn`."""
        return np.asarray(photos, np.float32) @ self.query_vector(worn, target)


def search_vector(query: np.ndarray) -> np.ndarray:
    """`query` at unit length, as the index expects: the order of inner products is unchanged."""
    return query / max(float(np.linalg.norm(query)), 1e-12)


# The shipped compatibility model (weights/compatibility.npz).
compatibility = register("compatibility", CompatibilityModel.from_entry)
