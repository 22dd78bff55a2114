"""Retrieval on a lookbook split: scene crops against every catalog product of their partition."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from embeddings.metrics import EXACT_GAIN, STYLE_GAIN, rankings, relevance_score, retrieval_metrics

EmbedFn = Callable[[np.ndarray], np.ndarray]  # batch of RGB [0, 1] images -> L2-normalised rows


def embed_all(embed: EmbedFn, images: list[np.ndarray], batch: int = 32) -> np.ndarray:
    return np.concatenate([embed(np.stack(images[i : i + batch])) for i in range(0, len(images), batch)])


def evaluate_retrieval(embed: EmbedFn, lookbook: Path, split: str, size: int, limit: int | None = None) -> dict:
    """Recall@1/10, precision@10 and mAP@10 over every product of the catalog, each scored by its best
    indexed photo as the app does; "front_photo_only" has the same queries against front photos alone."""
    catalog, pairs, sims = _lookbook_similarities(embed, lookbook, split, size, limit)
    ids, allowed, scores = sims.ids, sims.allowed, sims.products()
    relevant = np.array([np.array(ids) == p.product for p in pairs])
    metrics = retrieval_metrics(scores, relevant, ks=(1, 10), allowed=allowed)
    fronts = sims.products(np.array([path.stem == "front" for path in sims.paths]))
    metrics["front_photo_only"] = retrieval_metrics(fronts, relevant, ks=(1, 10), allowed=allowed)
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
    gallery = "every photo but model shots, best per product"
    return {"split": split, "queries": len(pairs), "gallery": len(ids), "gallery_photos": gallery, **metrics}


def evaluate_pairs(embed: EmbedFn, pairs: list, size: int) -> dict:
    """Recall@1/10, precision@10 and mAP@10 of held-out pairs against their own products' first photos.

    For sources other than the lookbook: the gallery is the held-out products, each by all its
    photos (best one counts), searched within the query's partition.
    """
    gallery: dict[str, tuple[tuple[Path, ...], str]] = {}
    for p in pairs:
        gallery.setdefault(p.product, (p.photos, "/".join(p.partition)))
    sims = _similarities(embed, pairs, gallery, size)
    relevant = np.array([np.array(sims.ids) == p.product for p in pairs])
    metrics = retrieval_metrics(sims.products(), relevant, ks=(1, 10), allowed=sims.allowed)
    return {"split": "held-out", "queries": len(pairs), "gallery": len(sims.ids), **metrics}


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


def top1_margin(scores: np.ndarray) -> np.ndarray:
    """How far each row's best score leads its runner-up (the best score itself when there is no runner-up)."""
    ordered = -np.sort(-np.where(np.isfinite(scores), scores, -np.inf), axis=1)
    second = ordered[:, 1] if ordered.shape[1] > 1 else np.full(len(ordered), -np.inf)
    return np.where(np.isfinite(second), ordered[:, 0] - second, ordered[:, 0])


def calibrate_exact_match(
    embed: EmbedFn,
    lookbook: Path,
    split: str,
    size: int,
    target_precision: float = 0.9,
    absent_rate: float = 0.01,
) -> dict:
    """When a first result may be labelled "exact match": a least lead over the runner-up and a least similarity.

    Two kinds of query of the split decide it. Present: the scene's product is in the gallery; an
    exact label must be right `target_precision` of the time. Absent: the product's whole family is
    taken out of the gallery, as a real photo's garment is absent from any catalog we hold; at most
    `absent_rate` of those may be labelled exact. Of the rules that pass both, the one labelling the
    most present queries wins. The lead alone passes the first test but not the second: without its
    family, a scene's first result still leads by as much as a true match does (the idea of Lowe's
    ratio test fails when the catalog lacks the product), so the similarity must also be high.
    """
    present, absent, correct = _present_and_absent(embed, lookbook, split, size)
    rule, coverage, precision = (1.0, 1.0), 0.0, None
    for margin in np.arange(0.0, 0.3, 0.005):
        for similarity in np.arange(0.85, 1.0, 0.001):
            if np.mean((absent[1] >= margin) & (absent[0] >= similarity)) > absent_rate:
                continue
            labelled = (present[1] >= margin) & (present[0] >= similarity)
            if labelled.any() and correct[labelled].mean() >= target_precision and labelled.mean() > coverage:
                rule, coverage, precision = (
                    (float(margin), float(similarity)),
                    float(labelled.mean()),
                    correct[labelled].mean(),
                )
    lead_only = precise_threshold(present[1], correct, target_precision)[0]
    return {
        "criterion": "margin",
        "threshold": round(rule[0], 4),
        "min_similarity": round(rule[1], 4),
        "target_precision": target_precision,
        "precision": round(float(precision), 4) if precision is not None else None,
        "coverage": round(coverage, 4),
        "absent_family_rate_allowed": absent_rate,
        "absent_family_labelled_by_lead_alone": round(float(np.mean(absent[1] >= lead_only)), 4),
        "lead_alone_threshold": round(lead_only, 4),
        "top1_accuracy": round(float(correct.mean()), 4),
        "split": split,
        "queries": len(correct),
    }


def exact_match_check(
    embed: EmbedFn, lookbook: Path, split: str, size: int, margin: float, min_similarity: float = -1.0
) -> dict:
    """How a calibrated rule does on another split: coverage, precision, and how often an absent product reads exact."""
    present, absent, correct = _present_and_absent(embed, lookbook, split, size)
    labelled = (present[1] >= margin) & (present[0] >= min_similarity)
    precision = float(correct[labelled].mean()) if labelled.any() else None
    return {
        "split": split,
        "coverage": round(float(labelled.mean()), 4),
        "precision": precision and round(precision, 4),
        "absent_family_labelled": round(float(np.mean((absent[1] >= margin) & (absent[0] >= min_similarity))), 4),
    }


def _present_and_absent(embed: EmbedFn, lookbook: Path, split: str, size: int):
    """((best, lead) with the product in the gallery, (best, lead) with its family out, top-1 correct)."""
    _, pairs, sims = _lookbook_similarities(embed, lookbook, split, size)
    scores = np.where(sims.allowed, sims.products(), -np.inf)
    correct = np.array([sims.ids[b] == p.product for b, p in zip(scores.argmax(axis=1), pairs, strict=True)])
    families = np.array([family_of(i) for i in sims.ids])
    wanted = np.array([family_of(p.product) for p in pairs])
    absent = np.where(families[None, :] == wanted[:, None], -np.inf, scores)
    return (scores.max(axis=1), top1_margin(scores)), (absent.max(axis=1), top1_margin(absent)), correct


def family_of(product_id: str) -> str:
    """The lookbook's product ids are "<family>-<variant>" (synthetic.designs): near-duplicates share a family."""
    return product_id.rsplit("-", 1)[0]


@dataclass(frozen=True)
class _Similarities:
    """Every query against every gallery photo, and which product each photo shows."""

    ids: list[str]  # gallery products
    allowed: np.ndarray  # query x product: same partition
    paths: list[Path]  # gallery photos
    owner: np.ndarray  # photo -> index into ids
    by_photo: np.ndarray  # query x photo

    def products(self, keep: np.ndarray | None = None) -> np.ndarray:
        """Query x product: each product's best photo among `keep` (a photo mask; all when None)."""
        by_photo, owner = self.by_photo, self.owner
        if keep is not None:
            by_photo, owner = by_photo[:, keep], owner[keep]
        scores = np.full((len(by_photo), len(self.ids)), -np.inf, np.float32)
        np.maximum.at(scores.T, owner, by_photo.T)
        return scores


def _lookbook_similarities(embed: EmbedFn, lookbook: Path, split: str, size: int, limit: int | None = None):
    """(catalog, pairs, similarities) of a lookbook split; the gallery is every product, whichever
    split it belongs to, by its indexed photos."""
    from embeddings.index import indexes_view

    from .siamese import lookbook_pairs, read_catalog

    catalog = read_catalog(lookbook)
    gallery = {}
    for pid, row in catalog.items():
        photos = tuple(lookbook / "products" / pid / f"{view}.jpg" for view in row["views"] if indexes_view(view))
        gallery[pid] = (photos, f"{row['gender']}/{row['category']}")
    pairs = lookbook_pairs(lookbook, split)[:limit]
    return catalog, pairs, _similarities(embed, pairs, gallery, size)


def _similarities(
    embed: EmbedFn, pairs: list, gallery: dict[str, tuple[tuple[Path, ...], str]], size: int
) -> _Similarities:
    """Each pair's scene crop against `gallery`, which maps a product id to its photos and its
    "gender/category" partition."""
    from .siamese import photo, scene_crop

    paths = [path for paths, _ in gallery.values() for path in paths]
    owner = np.array([i for i, (paths_, _) in enumerate(gallery.values()) for _ in paths_])
    photos = embed_all(embed, [photo(path, size) for path in paths])
    queries = embed_all(embed, [scene_crop(p, size) for p in pairs])
    partition = np.array([part for _, part in gallery.values()])
    allowed = np.array([partition == "/".join(p.partition) for p in pairs])
    return _Similarities(list(gallery), allowed, paths, owner, queries @ photos.T)


def type_votes(scores: np.ndarray, allowed: np.ndarray, types: np.ndarray, k: int) -> np.ndarray:
    """Each query's article type by a similarity-weighted vote of its k best products of the partition."""
    order = rankings(scores, allowed, k)
    out = []
    for q, row in enumerate(order):
        tally: dict[str, float] = {}
        for g in row[row >= 0]:
            tally[types[g]] = tally.get(types[g], 0.0) + float(scores[q, g])
        out.append(max(tally, key=tally.get) if tally else "")
    return np.array(out)


def type_boost_sweep(
    embed: EmbedFn, lookbook: Path, split: str, size: int, votes: tuple[int, ...], boosts: tuple[float, ...]
) -> dict:
    """Recall@1/10 and mAP@10 when products of the garment's voted type gain `boost` in cosine similarity.

    The type comes from the k best matches (k in `votes`): a boost by the best match's own type could
    not change the first result, so only a vote of several can move a better product up.
    """
    catalog, pairs, sims = _lookbook_similarities(embed, lookbook, split, size)
    scores, allowed = sims.products(), sims.allowed
    relevant = np.array([np.array(sims.ids) == p.product for p in pairs])
    types = np.array([catalog[pid]["article_type"] for pid in sims.ids])
    truth = np.array([catalog[p.product]["article_type"] for p in pairs])
    rows = []
    for k in votes:
        voted = type_votes(scores, allowed, types, k)
        same = types[None, :] == voted[:, None]
        for boost in boosts:
            metrics = retrieval_metrics(scores + boost * same, relevant, ks=(1, 10), allowed=allowed)
            rows.append({"vote_k": k, "boost": boost, "type_right": float((voted == truth).mean()), **metrics})
    return {"split": split, "queries": len(pairs), "rows": rows}
