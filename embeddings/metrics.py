"""Retrieval quality: Recall@k, precision@k and mAP@k of a ranking, per query and averaged."""

from __future__ import annotations

import numpy as np


def rankings(scores: np.ndarray, allowed: np.ndarray | None = None, k: int | None = None) -> np.ndarray:
    """Gallery indices per query, best score first; items not `allowed` (another partition) are left out."""
    s = np.asarray(scores, np.float64).copy()
    if allowed is not None:
        s[~np.asarray(allowed, bool)] = -np.inf
    order = np.argsort(-s, axis=1, kind="stable")
    if k is not None:
        order = order[:, :k]
    # Excluded items sort last; mark them -1 so they never count as retrieved.
    excluded = np.take_along_axis(np.isneginf(s), order, axis=1)
    return np.where(excluded, -1, order)


def retrieval_metrics(scores: np.ndarray, relevant: np.ndarray, ks: tuple[int, ...] = (1, 10), allowed=None) -> dict:
    """{"recall@k", "precision@k", "map@k"} for each k, averaged over the queries.

    `relevant[q, g]` says whether gallery item g is a right answer for query q. AP@k divides by
    min(k, number of relevant items), so a query with one right answer at rank r scores 1/r.
    """
    relevant = np.asarray(relevant, bool)
    order = rankings(scores, allowed, max(ks))
    hits = np.where(order >= 0, np.take_along_axis(relevant, np.maximum(order, 0), axis=1), False)
    if hits.shape[1] < max(ks):  # a gallery smaller than k: the missing ranks retrieve nothing
        hits = np.pad(hits, ((0, 0), (0, max(ks) - hits.shape[1])), constant_values=False)
    n_relevant = relevant.sum(axis=1) if allowed is None else (relevant & np.asarray(allowed, bool)).sum(axis=1)
    out = {}
    for k in ks:
        top = hits[:, :k]
        cumulative = np.cumsum(top, axis=1)
        precision_at_i = cumulative / np.arange(1, k + 1)
        ap = (precision_at_i * top).sum(axis=1) / np.maximum(np.minimum(k, n_relevant), 1)
        out[f"recall@{k}"] = float(top.any(axis=1).mean())
        out[f"precision@{k}"] = float((top.sum(axis=1) / k).mean())
        out[f"map@{k}"] = float(ap.mean())
    return out


# Gains of the relevance score: the exact product, a product of the same style, anything else.
EXACT_GAIN, STYLE_GAIN = 2.0, 1.0


def relevance_score(gains: list[float], k: int = 10, pool: list[float] | None = None) -> float:
    """Graded nDCG@k of one ranking: our definition of the seed's undefined "relevance score".

    `gains` are in rank order (2 exact product, 1 same style, 0 not relevant); the ideal ranking
    sorts `pool` (default: `gains`) best first, so 1.0 means nothing better could have been shown.
    """
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = float(np.dot(np.asarray(gains[:k], float), discounts[: len(gains[:k])]))
    ideal = sorted(pool if pool is not None else gains, reverse=True)[:k]
    idcg = float(np.dot(np.asarray(ideal, float), discounts[: len(ideal)]))
    return dcg / idcg if idcg > 0 else 0.0


def judged_ranking_metrics(relevant: list[bool], k: int) -> dict[str, float]:
    """precision@k and AP@k of one ranking whose items were judged relevant or not, in rank order.

    Staff judge some recommendations and skip others; the ranking is condensed to the judged ones
    (Sakai's condensed-list evaluation), so an unjudged item counts neither way.
    """
    top = np.asarray(relevant[:k], bool)
    if top.size == 0:
        return {"precision": 0.0, "ap": 0.0}
    precision_at_i = np.cumsum(top) / np.arange(1, top.size + 1)
    n_relevant = int(np.asarray(relevant, bool).sum())
    ap = float((precision_at_i * top).sum() / max(min(k, n_relevant), 1))
    return {"precision": float(top.mean()), "ap": ap}
