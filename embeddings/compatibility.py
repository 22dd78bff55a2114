"""Complete the look at run time: which catalog products go with the garments a shopper wears.

The model is type-aware and bilinear. For a worn garment `a` of category `ca` and a catalog photo
`b` of another category `cb` (both embedder vectors):

    score(a, b) = (Q[ca→cb] a) · (P[ca→cb] b) + w[cb] · b

Q and P project the two embeddings into a small space of their own for each ordered pair of
categories (what makes a top go with shoes is not what makes it go with trousers); `w` is how
well `b` goes with anything. Summed over the garments present, the score is still linear in `b`:

    score(outfit, b) = q · b   with   q = Σ P[ca→cb]ᵀ Q[ca→cb] a  +  w[cb]

so one search of the vector index with `q` ranks the whole partition by compatibility, exactly.

A garment's features may be more than its embedder vector, which carries too little of what
stylists dress by. The shipped model reads four blocks: the vector; the garment's colours
(detection.garment_colours: a lightness x colour-class histogram); what the ImageNet classifier
sees in it (detection.models.garment_names: its 1,000 class probabilities, as logarithms projected onto
the principal axes of the training garments', which the model file holds), the kind of garment,
which the embedder, trained to tell products apart, does not say; and the article types' shares
of those probabilities, grouped as the garment namer groups them (a jacket's classes against a
t-shirt's). A worn garment is read by its types and the first `worn_axes` class axes only (none,
shipped): learnt on rendered garments worn by rendered figures, the axes read otherwise on a real
person even for the coarse kind of garment, and cost the real-photo rows more than they gave;
the types' shares, a distribution over a dozen names, move less. The score is still linear in
the candidate's features; the vector index holds only the vector part, so the app searches with
that part and re-scores the partition's best with the whole (shopthelook.completion).
The weights are a NumPy file (.npz) in weights/, trained by `manage.py train_compatibility`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from detection.registry import ModelEntry, ModelFileError, read_manifest, register
from detection.taxonomy import CATEGORY_NAMES

from .feature_codec import CLASSES

CATEGORIES = CATEGORY_NAMES  # each has its own block of weights, and a map from every other one


def pair_key(query: str, target: str) -> str:
    return f"{query}->{target}"


CLASS_FLOOR = 1e-4  # ImageNet probabilities below this read as this: their logarithms are noise


@dataclass(frozen=True)
class ClassAxes:
    """How ImageNet class probabilities become a few features: log(p), centred, onto principal axes."""

    mean: np.ndarray  # (classes,) of the log probabilities
    axes: np.ndarray  # (k, classes), each scaled to give unit variance on the garments it was fit on

    @classmethod
    def fit(cls, probabilities: np.ndarray, k: int) -> ClassAxes:
        logs = np.log(np.asarray(probabilities, np.float64) + CLASS_FLOOR)
        mean = logs.mean(axis=0)
        _, spread, axes = np.linalg.svd(logs - mean, full_matrices=False)
        scale = np.sqrt(len(logs)) / np.maximum(spread[:k], 1e-12)
        return cls(mean.astype(np.float32), (axes[:k] * scale[:, None]).astype(np.float32))

    def project(self, probabilities: np.ndarray) -> np.ndarray:
        return (np.log(np.asarray(probabilities, np.float32) + CLASS_FLOOR) - self.mean) @ self.axes.T


def type_shares(probabilities: np.ndarray, types: Sequence[np.ndarray]) -> np.ndarray:
    """Each article type's share of the probability its ImageNet classes take together (rows x types):
    the garment namer's reading as a distribution over types, as sharp as the classifier is sure."""
    p = np.atleast_2d(np.asarray(probabilities, np.float32))
    mass = np.stack([p[:, ids].sum(axis=1) for ids in types], axis=1)
    return mass / np.maximum(mass.sum(axis=1, keepdims=True), 1e-6)


class CompatibilityModel:
    """Q and P per ordered category pair, w per target category; all float32 NumPy arrays. The
    features they read are an embedder vector, then `colour_size` colour numbers, then the ImageNet
    classes projected onto `classes.axes`, then the article types' shares of them (`types`: each
    type's ImageNet class ids, as the garment namer groups them); any block but the vector may be absent."""

    def __init__(
        self,
        q: dict[str, np.ndarray],
        p: dict[str, np.ndarray],
        w: dict[str, np.ndarray],
        colour_size: int = 0,
        classes: ClassAxes | None = None,
        worn_axes: int | None = None,
        types: Sequence[np.ndarray] = (),
    ):
        self.q, self.p, self.w, self.colour_size, self.classes = q, p, w, colour_size, classes
        self.class_size = 0 if classes is None else len(classes.axes)
        self.types = tuple(np.asarray(ids, int) for ids in types)
        # How many of the leading class axes a worn garment is read by (see `worn`); None: all of them.
        self.worn_axes = self.class_size if worn_axes is None else min(worn_axes, self.class_size)
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
        classes = ClassAxes(arrays["class_mean"], arrays["class_axes"]) if "class_axes" in arrays else None
        colour_size = int(arrays["colour_size"]) if "colour_size" in arrays else 0
        if "worn_axes" in arrays:
            worn_axes = int(arrays["worn_axes"])
        else:  # a file of before worn axes: a flag, all axes or none
            worn_axes = None if bool(arrays.get("worn_classes", 1)) else 0
        sizes = arrays.get("type_sizes", np.zeros(0)).astype(int)
        types = np.split(arrays["type_classes"].astype(int), np.cumsum(sizes)[:-1]) if len(sizes) else ()
        return cls(q, p, w, colour_size, classes, worn_axes, types)

    @classmethod
    def from_entry(cls, entry: ModelEntry) -> CompatibilityModel:
        """The shipped model, refused (ModelFileError) if the embedder or garment namer it was trained on
        is not the one shipped beside it: it would score features it never saw, silently wrong."""
        model = cls.from_file(entry.path)
        reads = ["embedder", "garment_namer"] if model.class_size or model.types else ["embedder"]
        check_trained_on(entry, read_manifest(entry.path.parent).get("models", {}), reads)
        return model

    def save(self, path: Path) -> None:
        arrays = {f"Q:{k}": v for k, v in self.q.items()}
        arrays |= {f"P:{k}": v for k, v in self.p.items()}
        arrays |= {f"w:{k}": v for k, v in self.w.items()}
        arrays["colour_size"] = np.array(self.colour_size)
        if self.classes is not None:
            arrays |= {"class_mean": self.classes.mean, "class_axes": self.classes.axes}
            arrays["worn_axes"] = np.array(self.worn_axes)
        if self.types:
            arrays["type_classes"] = np.concatenate(self.types)
            arrays["type_sizes"] = np.array([len(ids) for ids in self.types])
        with path.open("wb") as fh:
            np.savez(fh, **{k: np.asarray(v, np.float32) for k, v in arrays.items()})

    def features(
        self, vectors: np.ndarray, colours: np.ndarray | None = None, classes: np.ndarray | None = None
    ) -> np.ndarray:
        """What the model reads of a garment, or of each row of photos: the embedder vector, then the
        colours, then the projected ImageNet classes, then the article types' shares of them; a block never
        read is zeros (the rest still count)."""
        vectors = np.asarray(vectors, np.float32)
        rows = np.atleast_2d(vectors)
        blocks = [rows]
        if self.colour_size:
            blocks.append(_block(colours, rows.shape[0], self.colour_size))
        if self.classes is not None or self.types:  # both read the same class probabilities
            read = _block(classes, rows.shape[0], CLASSES if self.classes is None else self.classes.axes.shape[1])
        if self.classes is not None:
            known = read.any(axis=1, keepdims=True)  # all-zero rows were never read: project to zeros too
            blocks.append(np.where(known, self.classes.project(read), 0).astype(np.float32))
        if self.types:
            blocks.append(type_shares(read, self.types))  # zeros where never read
        out = np.concatenate(blocks, axis=1)
        return out if vectors.ndim == 2 else out[0]

    def worn(self, vector: np.ndarray, colours: np.ndarray | None, classes: np.ndarray | None) -> np.ndarray:
        """A worn garment's features: as `features`, but its classes on the first `worn_axes` axes
        only, the rest zeros (on real photos they read unlike the rendered garments the model learnt
        from); its types' shares in full."""
        out = self.features(vector, colours, classes)
        unread = self.class_size - self.worn_axes
        if unread:
            end = out.shape[-1] - len(self.types)  # the class axes' block ends where the types' begins
            out = out.copy()
            out[..., end - unread : end] = 0
        return out

    def vector_part(self, query: np.ndarray) -> np.ndarray:
        """The part of a query vector that meets a candidate's embedder vector (what the vector index holds)."""
        return query[: len(query) - self.colour_size - self.class_size - len(self.types)]

    @property
    def reads_more_than_vectors(self) -> bool:
        return bool(self.colour_size or self.class_size or self.types)

    def completes(self, category: str) -> bool:
        """Whether the model was trained to suggest `category` (one added to the taxonomy since is not)."""
        return category in self.w

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


# The models whose outputs the compatibility model reads, by manifest name and the key its entry
# records their sha256 under.
TRAINED_ON = {"embedder": "embedder_sha256", "garment_namer": "garment_namer_sha256"}


def check_trained_on(entry: ModelEntry, shipped: dict, reads: Sequence[str] = tuple(TRAINED_ON)) -> None:
    """Raise ModelFileError if `entry` records another of the models it `reads` than the `shipped` manifest's."""
    for name in reads:
        trained, current = entry.info.get(TRAINED_ON[name]), shipped.get(name, {}).get("sha256")
        if trained is None or trained != current:
            raise ModelFileError(
                f"{entry.path.name} was trained on {name} {str(trained)[:12]}…, but the shipped {name} is "
                f"{str(current)[:12]}…: complete the look would score features it never saw; "
                "run `manage.py train_compatibility` again"
            )


def _block(values: np.ndarray | None, rows: int, size: int) -> np.ndarray:
    """`values` as `rows` x `size`, or zeros where they are missing or of another size."""
    if values is None:
        return np.zeros((rows, size), np.float32)
    values = np.atleast_2d(np.asarray(values, np.float32))
    return values if values.shape == (rows, size) else np.zeros((rows, size), np.float32)


def search_vector(query: np.ndarray) -> np.ndarray:
    """`query` at unit length, as the index expects: the order of inner products is unchanged."""
    return query / max(float(np.linalg.norm(query)), 1e-12)


# The shipped compatibility model (weights/compatibility.npz).
compatibility = register("compatibility", CompatibilityModel.from_entry)
