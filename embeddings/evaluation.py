"""Retrieval on a lookbook split: scene crops against every catalog product of their partition."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from .metrics import EXACT_GAIN, STYLE_GAIN, rankings, relevance_score, retrieval_metrics

EmbedFn = Callable[[np.ndarray], np.ndarray]  # batch of RGB [0, 1] images -> L2-normalised rows


def embed_all(embed: EmbedFn, images: list[np.ndarray], batch: int = 32) -> np.ndarray:
    return np.concatenate([embed(np.stack(images[i : i + batch])) for i in range(0, len(images), batch)])


def evaluate_retrieval(embed: EmbedFn, lookbook: Path, split: str, size: int, limit: int | None = None) -> dict:
    """Recall@1/10, precision@10 and mAP@10; the gallery is every product's front photo."""
    from .training.siamese import lookbook_pairs, product_photo, read_catalog, scene_crop

    catalog = read_catalog(lookbook)
    ids = list(catalog)
    gallery = embed_all(embed, [product_photo(lookbook, pid, size) for pid in ids])
    pairs = lookbook_pairs(lookbook, split)[:limit]
    queries = embed_all(embed, [scene_crop(p, size) for p in pairs])
    partition = np.array([f"{catalog[pid]['gender']}/{catalog[pid]['category']}" for pid in ids])
    allowed = np.array([partition == f"{p.partition[0]}/{p.partition[1]}" for p in pairs])
    relevant = np.array([np.array(ids) == p.product for p in pairs])
    scores = queries @ gallery.T
    metrics = retrieval_metrics(scores, relevant, ks=(1, 10), allowed=allowed)
    # Relevance score: the exact product gains 2, a near-duplicate of it (same family) 1.
    family = np.array([catalog[pid]["family"] for pid in ids])
    gains = np.where(relevant, EXACT_GAIN, 0.0)
    gains += np.where(
        ~relevant & (family[None, :] == np.array([catalog[p.product]["family"] for p in pairs])[:, None]),
        STYLE_GAIN,
        0.0,
    )
    gains *= allowed
    order = rankings(scores, allowed, 10)
    relevance = [
        relevance_score([gains[q, g] if g >= 0 else 0.0 for g in order[q]], 10, list(gains[q][gains[q] > 0]))
        for q in range(len(pairs))
    ]
    metrics["relevance@10"] = float(np.mean(relevance))
    return {"split": split, "queries": len(pairs), "gallery": len(ids), **metrics}


def evaluate_pairs(embed: EmbedFn, pairs: list, size: int) -> dict:
    """Recall@1/10, precision@10 and mAP@10 of held-out pairs against their own products' first photos.

    For sources other than the lookbook: the gallery is the held-out products, each by its first
    photo, searched within the query's partition.
    """
    from .training.siamese import photo, scene_crop

    gallery_photo = {}
    for p in pairs:
        gallery_photo.setdefault(p.product, (p.photos[0], p.partition))
    ids = list(gallery_photo)
    gallery = embed_all(embed, [photo(path, size) for path, _ in gallery_photo.values()])
    queries = embed_all(embed, [scene_crop(p, size) for p in pairs])
    partition = np.array(["/".join(part) for _, part in gallery_photo.values()])
    allowed = np.array([partition == "/".join(p.partition) for p in pairs])
    relevant = np.array([np.array(ids) == p.product for p in pairs])
    metrics = retrieval_metrics(queries @ gallery.T, relevant, ks=(1, 10), allowed=allowed)
    return {"split": "held-out", "queries": len(pairs), "gallery": len(ids), **metrics}


def precise_threshold(scores: np.ndarray, correct: np.ndarray, target: float) -> tuple[float, float, int]:
    """(threshold, precision, count): the lowest score whose matches at or above it are `target` precise.

    Takes the longest run of matches, best score first, whose precision is still at least
    `target`; with none, the threshold is 1.0 (nothing is labelled exact).
    """
    order = np.argsort(-np.asarray(scores), kind="stable")
    precision = np.cumsum(np.asarray(correct, bool)[order]) / np.arange(1, len(order) + 1)
    ok = np.nonzero(precision >= target)[0]
    if ok.size == 0:
        return 1.0, 0.0, 0
    kept = int(ok.max()) + 1
    return float(np.asarray(scores)[order][kept - 1]), float(precision[kept - 1]), kept


def calibrate_exact_match(embed: EmbedFn, lookbook: Path, split: str, size: int, target_precision: float = 0.9) -> dict:
    """The lowest similarity at which a top-1 match is the exact product `target_precision` of the time.

    Run on the validation split: the label "exact match" must be earned on data the test
    figures never saw.
    """
    from .training.siamese import lookbook_pairs, product_photo, read_catalog, scene_crop

    catalog = read_catalog(lookbook)
    ids = list(catalog)
    gallery = embed_all(embed, [product_photo(lookbook, pid, size) for pid in ids])
    pairs = lookbook_pairs(lookbook, split)
    queries = embed_all(embed, [scene_crop(p, size) for p in pairs])
    partition = np.array([f"{catalog[pid]['gender']}/{catalog[pid]['category']}" for pid in ids])
    scores = np.where(
        np.array([partition == f"{p.partition[0]}/{p.partition[1]}" for p in pairs]), queries @ gallery.T, -np.inf
    )
    best = scores.argmax(axis=1)
    top_score = scores[np.arange(len(pairs)), best]
    correct = np.array([ids[b] == p.product for b, p in zip(best, pairs, strict=True)])
    threshold, precision, kept = precise_threshold(top_score, correct, target_precision)
    return {
        "threshold": round(threshold, 4),
        "target_precision": target_precision,
        "precision": round(precision, 4) if kept else None,
        "coverage": round(kept / len(pairs), 4),
        "top1_accuracy": round(float(correct.mean()), 4),
        "split": split,
        "queries": len(pairs),
    }
