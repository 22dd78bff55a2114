"""Clustering catalog photos by view, as the thumbnail study did: KMeans over CNN features, k by elbow and silhouette.

Plain NumPy (k-means++ seeding, Lloyd's iterations, the silhouette over all pairs), small enough
to read: a catalog category holds a few thousand photos, so the O(n^2) silhouette is a second.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Clustering:
    k: int
    labels: np.ndarray  # cluster of each row
    centroids: np.ndarray  # k x dim
    sse: float  # sum of squared distances to the nearest centroid


def _seed_centroids(x: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++: each next centre drawn with probability proportional to its squared distance."""
    centres = [x[rng.integers(len(x))]]
    d2 = np.sum((x - centres[0]) ** 2, axis=1)
    for _ in range(1, k):
        total = d2.sum()
        pick = rng.integers(len(x)) if total == 0 else rng.choice(len(x), p=d2 / total)
        centres.append(x[pick])
        d2 = np.minimum(d2, np.sum((x - x[pick]) ** 2, axis=1))
    return np.stack(centres)


def _squared_distances(x: np.ndarray, centres: np.ndarray) -> np.ndarray:
    return np.maximum((x**2).sum(1)[:, None] - 2 * x @ centres.T + (centres**2).sum(1)[None], 0)


def kmeans(x: np.ndarray, k: int, seed: int = 0, restarts: int = 4, iterations: int = 100) -> Clustering:
    """The best of `restarts` k-means++ runs (lowest SSE) over the rows of `x`."""
    x = np.asarray(x, np.float64)
    if not 1 <= k <= len(x):
        raise ValueError(f"k={k} for {len(x)} rows")
    rng = np.random.default_rng(seed)
    best: Clustering | None = None
    for _ in range(restarts):
        centres = _seed_centroids(x, k, rng)
        labels = np.full(len(x), -1)
        for _ in range(iterations):
            new = _squared_distances(x, centres).argmin(1)
            if np.array_equal(new, labels):
                break
            labels = new
            for c in range(k):
                members = x[labels == c]
                # An emptied cluster takes the row farthest from its centre, so k stays k.
                if len(members):
                    centres[c] = members.mean(0)
                else:
                    centres[c] = x[_squared_distances(x, centres).min(1).argmax()]
        sse = float(_squared_distances(x, centres)[np.arange(len(x)), labels].sum())
        if best is None or sse < best.sse:
            best = Clustering(k, labels, centres, sse)
    assert best is not None
    return best


def silhouette(x: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette (b - a) / max(a, b) over rows, Euclidean; rows alone in their cluster score 0."""
    x = np.asarray(x, np.float64)
    d = np.sqrt(_squared_distances(x, x))
    clusters = np.unique(labels)
    if len(clusters) < 2:
        return 0.0
    mean_to = np.stack([d[:, labels == c].mean(1) for c in clusters], axis=1)  # n x k
    sizes = np.array([np.sum(labels == c) for c in clusters])
    own = np.searchsorted(clusters, labels)
    n_own = sizes[own]
    a = mean_to[np.arange(len(x)), own] * n_own / np.maximum(n_own - 1, 1)  # leave the row itself out
    other = mean_to.copy()
    other[np.arange(len(x)), own] = np.inf
    b = other.min(1)
    s = np.where(n_own > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(s.mean())


@dataclass(frozen=True)
class Sweep:
    ks: list[int]
    sse: list[float]
    silhouettes: list[float]
    runs: dict[int, Clustering]

    @property
    def elbow_k(self) -> int:
        """The k farthest below the straight line from the first SSE to the last (the bend of the curve)."""
        ks, sse = np.array(self.ks, float), np.array(self.sse)
        kn = (ks - ks[0]) / max(ks[-1] - ks[0], 1)
        sn = (sse - sse[-1]) / max(sse[0] - sse[-1], 1e-12)
        return int(self.ks[int(np.argmax((1 - kn) - sn))])

    @property
    def silhouette_k(self) -> int:
        return int(self.ks[int(np.argmax(self.silhouettes))])

    @property
    def chosen_k(self) -> int:
        """The best silhouette among the ks from 2 up to the elbow: the elbow bounds how many views the
        data supports, the silhouette picks the cleanest split within that bound (the study used both)."""
        allowed = [i for i, k in enumerate(self.ks) if k <= self.elbow_k] or [0]
        return int(self.ks[max(allowed, key=lambda i: self.silhouettes[i])])


def sweep(x: np.ndarray, ks: range | list[int], seed: int = 0) -> Sweep:
    """KMeans for every k, with its SSE and silhouette."""
    runs = {k: kmeans(x, k, seed=seed) for k in ks}
    return Sweep(list(runs), [r.sse for r in runs.values()], [silhouette(x, r.labels) for r in runs.values()], runs)


def purity(labels: np.ndarray, truth: list[str]) -> float:
    """The share of rows whose cluster's most common true label is their own."""
    total = 0
    for c in np.unique(labels):
        members = [t for t, label in zip(truth, labels, strict=True) if label == c]
        total += Counter(members).most_common(1)[0][1]
    return total / len(truth)


def cluster_names(labels: np.ndarray, truth: list[str]) -> dict[int, str]:
    """Each cluster named by the most common label among its rows (a person naming clusters by eye)."""
    return {
        int(c): Counter(t for t, label in zip(truth, labels, strict=True) if label == c).most_common(1)[0][0]
        for c in np.unique(labels)
    }


def centre_by_group(x: np.ndarray, groups: list | np.ndarray) -> np.ndarray:
    """Each row less the mean of its group's rows, at unit length again.

    A product's photos share its colour, cloth and cut; subtracting their mean leaves what tells the
    photos apart, the view. Without it KMeans splits by colour and type before it splits by view.
    A group of one becomes the zero row (it has nothing to be told apart from).
    """
    x = np.asarray(x, np.float64)
    groups = np.asarray(groups)
    out = np.empty_like(x)
    for g in np.unique(groups):
        rows = groups == g
        out[rows] = x[rows] - x[rows].mean(0)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return np.where(norms > 1e-9, out / np.maximum(norms, 1e-9), 0.0)


HELD_OUT_SHARE = 0.2


def family_of(external_id: str) -> str:
    """The design a product is a variant of: the demo store's ids are family-variant ("DS00012-3");
    any other id is its own family."""
    return external_id.rsplit("-", 1)[0] if "-" in external_id else external_id


def held_out(external_id: str) -> bool:
    """Whether a product's family is kept out of clustering and training (a stable fifth of families),
    so its views score the view classifier on designs it never saw."""
    digest = hashlib.sha256(family_of(external_id).encode()).digest()
    return digest[0] < 256 * HELD_OUT_SHARE


def validation_family(external_id: str) -> bool:
    """Whether a product's family, if not held out, is kept out of training to choose epochs by (a fifth
    of the rest, by another byte of the same hash)."""
    digest = hashlib.sha256(family_of(external_id).encode()).digest()
    return not held_out(external_id) and digest[1] < 256 * HELD_OUT_SHARE


def medoids(x: np.ndarray, run: Clustering) -> dict[int, int]:
    """Each cluster's row nearest its centroid: the photo that names it, robust to cluster numbering."""
    out = {}
    for c in range(run.k):
        members = np.flatnonzero(run.labels == c)
        if len(members):
            out[c] = int(members[np.argmin(((x[members] - run.centroids[c]) ** 2).sum(1))])
    return out


def photo_key(external_id: str, position: int) -> str:
    return f"{external_id}/{position}"


def names_by_exemplar(run: Clustering, keys: list[str], named: dict[str, str]) -> dict[int, str]:
    """Name each cluster of `run` by the named exemplar photos it holds (keys: one per row).

    A cluster holding exemplars of two names takes the commoner one; a cluster holding none has no name.
    """
    found: dict[int, Counter] = {}
    for row, key in enumerate(keys):
        if key in named:
            found.setdefault(int(run.labels[row]), Counter())[named[key]] += 1
    return {c: counts.most_common(1)[0][0] for c, counts in found.items()}


def halves(x: np.ndarray, run: Clustering, seed: int = 0) -> Clustering:
    """Every cluster of `run` cut in two by KMeans (cluster c into 2c and 2c + 1): the finer level a person
    names where one cluster mixes two views. A cluster of one row stays whole, as 2c."""
    x = np.asarray(x, np.float64)
    labels = np.zeros(len(x), int)
    centroids = np.zeros((2 * run.k, x.shape[1]))
    for c in range(run.k):
        members = np.flatnonzero(run.labels == c)
        if len(members) == 0:
            continue
        if len(members) < 2:
            labels[members], centroids[2 * c] = 2 * c, x[members[0]]
            continue
        sub = kmeans(x[members], 2, seed=seed)
        labels[members] = 2 * c + sub.labels
        centroids[2 * c : 2 * c + 2] = sub.centroids
    sse = float(((x - centroids[labels]) ** 2).sum())
    return Clustering(2 * run.k, labels, centroids, sse)


def row_names(
    run: Clustering, split: Clustering, keys: list[str], named: dict[str, str], named_halves: dict[str, str]
) -> list[str | None]:
    """Each row's view: its half's name where a person named the halves of a mixed cluster, else its cluster's."""
    whole = names_by_exemplar(run, keys, named)
    half = names_by_exemplar(split, keys, named_halves)
    return [half.get(int(h), whole.get(int(c))) for c, h in zip(run.labels, split.labels, strict=True)]


def train_softmax(
    x: np.ndarray, labels: list[str], epochs: int = 300, lr: float = 0.5, l2: float = 1e-4
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """A linear softmax classifier on feature rows by full-batch gradient descent: (weights, bias, classes)."""
    classes = sorted(set(labels))
    y = np.array([classes.index(v) for v in labels])
    w = np.zeros((x.shape[1], len(classes)))
    b = np.zeros(len(classes))
    onehot = np.eye(len(classes))[y]
    # Classes weighted to equal shares: a catalog holds more front photos than side ones.
    weight = (len(y) / (len(classes) * np.bincount(y, minlength=len(classes))))[y][:, None]
    for _ in range(epochs):
        p = softmax(x @ w + b)
        grad = weight * (p - onehot) / len(y)
        w -= lr * (x.T @ grad + l2 * w)
        b -= lr * grad.sum(0)
    return w.astype(np.float32), b.astype(np.float32), classes


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)
