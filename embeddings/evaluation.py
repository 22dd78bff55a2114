"""Retrieval on a lookbook split: scene crops against every catalog product of their partition."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from .metrics import retrieval_metrics

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
    metrics = retrieval_metrics(queries @ gallery.T, relevant, ks=(1, 10), allowed=allowed)
    return {"split": split, "queries": len(pairs), "gallery": len(ids), **metrics}
