"""The ranking on a lookbook split: does re-ordering by colour, texture, type and colour name keep the worn product?

The weights are chosen on the real photos' dev split under a condition read here, on the rendered
lookbook's validation split: that they keep the true product in the first ten (Recall@10; the
first result is the embedder's own, so Recall@1 does not move). Each scene crop is read as the
worker reads a garment (its worn colours, the namer's type), and each product as ingest reads it
(its photos' colours, its type and the colour name in its title).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from detection.boxes import Box
from detection.garment_colours import product_colours, worn_colours
from embeddings.ranking import Candidate, RankWeights, Worn, name_means, name_scores, rerank

from .retrieval_eval import EmbedFn, _lookbook_similarities

CANDIDATES = 120  # as the worker ranks


def title_colour(title: str, names: list[str]) -> str:
    """The longest colour name in a demo title ("Men Navy Blue Solid Hoodie" is Navy Blue, not Blue)."""
    words = f" {title} "
    return max((n for n in names if f" {n} " in words), key=len, default="")


def ranking_on_lookbook(
    embed: EmbedFn,
    lookbook: Path,
    split: str,
    size: int,
    weights: list[RankWeights],
    colour_names: list[str],
) -> dict:
    """Recall@1 and Recall@10 of the split's pairs, ranked by each of `weights` (zeros: the embedder alone)."""
    from detection.models.garment_names import garment_namer

    catalog, pairs, sims = _lookbook_similarities(embed, lookbook, split, size)
    scores = np.where(sims.allowed, sims.products(), -np.inf)
    photo_colours = [product_colours(Image.open(path)) for path in sims.paths]
    colours = [np.array([photo_colours[i] for i in np.flatnonzero(sims.owner == n)]) for n in range(len(sims.ids))]
    types = [catalog[pid]["article_type"] for pid in sims.ids]
    named = [title_colour(catalog[pid]["title"], colour_names) for pid in sims.ids]
    by_name: dict[str, list[np.ndarray]] = {}
    for n, name in enumerate(named):
        by_name.setdefault(name, []).extend(colours[n])
    by_name.pop("", None)
    names, means = name_means(by_name)
    namer = garment_namer()
    hits = {str(w): [0, 0] for w in weights}
    for q, pair in enumerate(pairs):
        category = pair.partition[1]
        with Image.open(pair.scene) as opened:
            image = opened.convert("RGB")
        w, h = image.size
        box = Box(category, 1.0, pair.bbox[0] * w, pair.bbox[1] * h, pair.bbox[2] * w, pair.bbox[3] * h)
        read = worn_colours(image, box.as_tuple(), category)
        guess = namer.predict(image, box.as_tuple(), category).guess
        worn = Worn(
            read,
            guess.article_type if guess else "",
            guess.score if guess else 0.0,
            "",
            name_scores(read, names, means),
        )
        order = np.argsort(-scores[q])[:CANDIDATES]
        order = order[np.isfinite(scores[q, order])]
        candidates = [Candidate(int(g), float(scores[q, g]), colours[g], types[g], named[g]) for g in order]
        truth = sims.ids.index(pair.product)
        for weight in weights:  # as the worker ranks: the embedder's first stays first
            ranked = [c.product_id for c, _ in rerank(worn, candidates, weight, keep_first=True)]
            hits[str(weight)][0] += bool(ranked[:1] == [truth])
            hits[str(weight)][1] += truth in ranked[:10]
    n = max(1, len(pairs))
    return {
        "split": split,
        "queries": len(pairs),
        "rows": [{"ranking": key, "recall@1": r1 / n, "recall@10": r10 / n} for key, (r1, r10) in hits.items()],
    }
