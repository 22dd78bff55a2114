"""The vector-search benchmark's data and scoring: catalog-shaped sets of the embedder's vectors, recall, latency."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageEnhance, ImageOps
from tqdm import tqdm

from detection import taxonomy
from embeddings.index import indexes_view, partition_key
from synthetic.designs import DemoProduct, generate_catalog
from synthetic.views import render_view
from training.bench import percentile

# How a large fashion catalog divides: the clothes and shoes of the public Fashion Product Images
# dataset (Myntra) are about 15.4k topwear, 9.2k footwear and 2.7k bottomwear, split about 52/48
# between men and women. Partitions are sized by these shares, so one is six times another.
CATEGORY_SHARES = {"topwear": 15.4, "footwear": 9.2, "bottomwear": 2.7}
GENDER_SHARES = {taxonomy.MEN: 0.52, taxonomy.WOMEN: 0.48}


def partition_sizes(total: int) -> dict[str, int]:
    """`total` vectors divided among the gender x category partitions by the catalog's shares."""
    weight = sum(CATEGORY_SHARES.values())
    shares = {
        partition_key(g, c): gs * cs / weight for c, cs in CATEGORY_SHARES.items() for g, gs in GENDER_SHARES.items()
    }
    sizes = {p: int(total * s) for p, s in shares.items()}
    largest = max(sizes, key=sizes.get)
    sizes[largest] += total - sum(sizes.values())
    return sizes


def augment(image: Image.Image, rng: random.Random) -> Image.Image:
    """Another photo of the same product: reframed, maybe mirrored, lit and white-balanced differently."""
    w, h = image.size
    scale = rng.uniform(0.8, 1.0)
    cw, ch = int(w * scale), int(h * scale)
    x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
    out = image.crop((x, y, x + cw, y + ch))
    if rng.random() < 0.5:
        out = ImageOps.mirror(out)
    out = ImageEnhance.Brightness(out).enhance(rng.uniform(0.85, 1.15))
    out = ImageEnhance.Contrast(out).enhance(rng.uniform(0.85, 1.15))
    gains = [rng.uniform(0.93, 1.07) for _ in range(3)]
    return Image.merge(
        "RGB", [band.point(lambda v, g=g: min(255, int(v * g))) for band, g in zip(out.split(), gains, strict=True)]
    )


@dataclass
class RenderedVectors:
    """Embeddings of rendered catalog photos: clean ones and augmented ones, by partition."""

    clean: dict[str, list[np.ndarray]] = field(default_factory=dict)
    augmented: dict[str, list[np.ndarray]] = field(default_factory=dict)

    def stacked(self, which: str) -> dict[str, np.ndarray]:
        return {p: np.stack(v) for p, v in getattr(self, which).items()}


def embed_products(
    products: Iterable[DemoProduct], embed: Callable[[Image.Image], np.ndarray], seed: int, progress: str = ""
) -> RenderedVectors:
    """Each indexed photo of each product, embedded as rendered and once more augmented."""
    rng = random.Random(seed)
    out = RenderedVectors()
    photos = [(p, view) for p in products for view in p.views if indexes_view(view)]
    for product, view in tqdm(photos, desc=progress or "embed", unit="photo", disable=not progress):
        partition = partition_key(product.gender, product.category)
        image = render_view(product, view).convert("RGB")
        out.clean.setdefault(partition, []).append(embed(image))
        out.augmented.setdefault(partition, []).append(embed(augment(image, rng)))
    return out


def split_by_family(products: list[DemoProduct]) -> tuple[list[DemoProduct], list[DemoProduct]]:
    """Alternate families to the two sides within each partition: no product has a near-duplicate across the split."""
    families: dict[str, list[str]] = {}
    for p in products:
        family_list = families.setdefault(partition_key(p.gender, p.category), [])
        if p.family not in family_list:
            family_list.append(p.family)
    held = {f for family_list in families.values() for f in family_list[1::2]}
    return [p for p in products if p.family not in held], [p for p in products if p.family in held]


def rendered_sources(
    n_products: int, embed: Callable[[Image.Image], np.ndarray], seed: int = 31, progress: bool = True
) -> tuple[RenderedVectors, RenderedVectors]:
    """Embeddings of a rendered catalog of its own, split by family: (sources of the synthesis, held out)."""
    source, held = split_by_family(generate_catalog(n_products, seed=seed))
    return (
        embed_products(source, embed, seed, "embed source photos" if progress else ""),
        embed_products(held, embed, seed + 1, "embed held-out photos" if progress else ""),
    )


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def synthesise(
    source: RenderedVectors, sizes: dict[str, int], seed: int = 0, batch: int = 200_000
) -> dict[str, np.ndarray]:
    """Catalog-sized partitions drawn around the embedder's own vectors.

    Each vector starts at a rendered photo's embedding, moves part of the way (up to a quarter) towards
    another photo's in its partition, so the catalog fills the space between designs rather than
    piling onto a few hundred points, and takes the shift a real augmentation made to some photo of
    its category: v = unit(a + t (b - a) + (aug_j - clean_j)).
    """
    rng = np.random.default_rng(seed)
    clean, augmented = source.stacked("clean"), source.stacked("augmented")
    by_category: dict[str, list[np.ndarray]] = {}
    for p in clean:
        by_category.setdefault(p.split("/")[1], []).append(augmented[p] - clean[p])
    shifts = {category: np.concatenate(parts) for category, parts in by_category.items()}
    out = {}
    for p, n in sizes.items():
        base, shift = clean[p], shifts[p.split("/")[1]]
        parts = []
        for start in range(0, n, batch):
            m = min(batch, n - start)
            a, b = base[rng.integers(len(base), size=m)], base[rng.integers(len(base), size=m)]
            t = rng.uniform(0, 0.25, size=(m, 1))
            parts.append(_unit(a + t * (b - a) + shift[rng.integers(len(shift), size=m)]))
        out[p] = np.concatenate(parts)
    return out


def spread(vectors: np.ndarray) -> dict[str, float]:
    """How a set of unit vectors lies: mean pairwise cosine, median nearest-neighbour cosine, effective dimension."""
    sims = vectors @ vectors.T
    n = len(vectors)
    off = sims[~np.eye(n, dtype=bool)]
    np.fill_diagonal(sims, -np.inf)
    eig = np.clip(np.linalg.eigvalsh(np.cov(vectors.T)), 0, None)
    return {
        "mean_cosine": float(off.mean()),
        "nn_cosine": float(np.median(sims.max(axis=1))),
        "effective_dim": float(eig.sum() ** 2 / (eig**2).sum()),  # the participation ratio
    }


def distribution_check(
    source: RenderedVectors, held: RenderedVectors, seed: int = 0, cap: int = 400
) -> dict[str, dict[str, float]]:
    """The spread of held-out real embeddings beside synthetic ones of the same count, and random unit vectors.

    Averaged over partitions; the synthetic set is drawn only from the source side of the split.
    """
    rng = np.random.default_rng(seed)
    # One vector per photo, as the synthesis makes: a clean photo's nearest neighbour would be its own augmentation.
    real = {p: v[rng.permutation(len(v))[:cap]] for p, v in held.stacked("augmented").items()}
    synthetic = synthesise(source, {p: len(v) for p, v in real.items()}, seed=seed + 1)
    dim = next(iter(real.values())).shape[1]
    rows: dict[str, list[dict[str, float]]] = {"real (held out)": [], "synthetic": [], "uniform random": []}
    for p, v in real.items():
        rows["real (held out)"].append(spread(v))
        rows["synthetic"].append(spread(synthetic[p]))
        rows["uniform random"].append(spread(_unit(rng.normal(size=(len(v), dim)))))
    return {name: {k: float(np.mean([r[k] for r in rs])) for k in rs[0]} for name, rs in rows.items()}


def queries_from(held: RenderedVectors, count: int, seed: int = 0) -> list[tuple[str, np.ndarray]]:
    """Queries: augmented photos of held-out products (never a source of the synthesis), each with its partition."""
    rng = random.Random(seed)
    pool = [(p, v) for p, vs in held.augmented.items() for v in vs]
    rng.shuffle(pool)
    return pool[:count]


def recall_at_k(found: np.ndarray, truth: np.ndarray) -> float:
    """The share of the true top k among the k found, for one query (ids; -1 marks a missing row)."""
    return len(set(map(int, found)) & set(map(int, truth))) / len(truth)


@dataclass
class Measured:
    """One index at one search effort: recall@k against exact search, and per-query latency."""

    backend: str
    effort: int | None
    recall: float
    p50_ms: float
    p95_ms: float
    short: int  # queries that got fewer than k rows

    def row(self) -> dict:
        return {
            "backend": self.backend,
            "effort": self.effort,
            "recall_at_10": round(self.recall, 4),
            "p50_ms": round(self.p50_ms, 3),
            "p95_ms": round(self.p95_ms, 3),
            "short_results": self.short,
        }


def measure(
    backend: str,
    effort: int | None,
    search: Callable[[str, np.ndarray], np.ndarray],
    queries: list[tuple[str, np.ndarray]],
    truth: list[np.ndarray],
    warmup: int = 10,
) -> Measured:
    """Run every query through `search(partition, vector) -> ids`, timing each one on its own."""
    for p, q in queries[:warmup]:
        search(p, q)
    times, recalls, short = [], [], 0
    for (p, q), true_ids in zip(queries, truth, strict=True):
        t0 = time.perf_counter()
        ids = search(p, q)
        times.append((time.perf_counter() - t0) * 1000)
        recalls.append(recall_at_k(ids, true_ids))
        short += int(np.sum(np.asarray(ids) >= 0) < len(true_ids))
    return Measured(backend, effort, float(np.mean(recalls)), percentile(times, 50), percentile(times, 95), short)
