"""Results that look like the garment: the embedder's nearest products, re-ranked by colour, texture and type.

The embedder was trained on rendered crops, so on a real photo its nearest products often have
another colour or type than the worn garment. Three signals that do not depend on it are read on
both sides already: the colour histogram (lightness x colour class) and the texture block of
`detection.garment_colours`, and the garment's type, named by the ImageNet namer; and a fourth
from the catalog: how well the product's listed colour name fits the garment (catalog.colour_names).
Each candidate's score is its cosine similarity plus a weighted agreement on each; the weights are
chosen on the real photos' dev split (`evaluate_real_photos --split dev --ranking ...`), and an
exact match stays first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from detection.garment_colours import HISTOGRAM


@dataclass(frozen=True)
class RankWeights:
    """How much each agreement adds to a candidate's cosine similarity (0 turns a signal off)."""

    colour: float = 0.0
    texture: float = 0.0
    type: float = 0.0
    name: float = 0.0

    @classmethod
    def parse(cls, text: str) -> RankWeights:
        """From "colour=0.2,texture=0.05,type=0.1" (a setting or a command-line option)."""
        pairs = [part.split("=") for part in text.split(",") if part.strip()]
        if any(len(pair) != 2 for pair in pairs):
            raise ValueError(f"ranking weights are name=value pairs, not {text!r}")
        values = {name.strip(): value for name, value in pairs}
        unknown = set(values) - {"colour", "texture", "type", "name"}
        if unknown:
            raise ValueError(f"unknown ranking weight(s): {', '.join(sorted(unknown))}")
        return cls(**{k: float(v) for k, v in values.items()})

    def __str__(self) -> str:
        return f"colour={self.colour:g},texture={self.texture:g},type={self.type:g},name={self.name:g}"


@dataclass(frozen=True)
class Candidate:
    """A product the embedder found: its best photo's similarity, its photos' colours (None: never read), its type."""

    product_id: int
    similarity: float
    colours: np.ndarray | None  # (photos x garment_colours.SIZE)
    article_type: str
    colour_name: str = ""  # as the catalog lists it ("Navy Blue")


@dataclass(frozen=True)
class Worn:
    """What the shopper wears, as the ranking compares it: its colours and its named type with the namer's belief."""

    colours: np.ndarray  # garment_colours.SIZE
    article_type: str = ""
    type_score: float = 0.0  # 1 when the shopper chose the type
    chosen_colour: str = ""  # a catalog colour name the shopper chose: it decides the colour agreement
    # How well each catalog colour name fits the garment (catalog.colour_names; the best one 1).
    name_scores: Mapping[str, float] = field(default_factory=dict)


def name_means(photos_by_name: Mapping[str, Sequence[np.ndarray]]) -> tuple[tuple[str, ...], np.ndarray]:
    """(names, their mean colour histograms): what each colour name a catalog lists looks like in its photos."""
    names = tuple(sorted(n for n, photos in photos_by_name.items() if len(photos)))
    means = [np.mean([p[:HISTOGRAM] for p in photos_by_name[n]], axis=0) for n in names]
    return names, np.array(means, np.float32).reshape(-1, HISTOGRAM)


def name_scores(worn: np.ndarray, names: Sequence[str], means: np.ndarray) -> dict[str, float]:
    """How well each colour name fits a worn garment's colours: the share of its histogram the name's mean
    holds, the best name scoring 1; empty when there are no names or nothing was read."""
    if not len(names) or not worn[:HISTOGRAM].any():
        return {}
    shared = np.minimum(means, worn[None, :HISTOGRAM]).sum(axis=1)
    return dict(zip(names, (shared / max(float(shared.max()), 1e-9)).tolist(), strict=True))


def agreements(worn: Worn, candidate: Candidate) -> tuple[float, float, float, float]:
    """(colour, texture, type, name) agreement in [0, 1]: histogram intersections over the product's best photo;
    the namer's belief (1 for the shopper's choice) when the product is of the type given; and how well the
    product's listed colour name fits the garment. A colour the shopper chose decides both colour terms."""
    same_type = worn.type_score if worn.article_type and worn.article_type == candidate.article_type else 0.0
    read = candidate.colours is not None and len(candidate.colours) > 0
    colour, texture = _shared(worn, candidate) if read else (0.0, 0.0)
    if worn.chosen_colour:  # the shopper's word over the pixels
        named = float(worn.chosen_colour.lower() == candidate.colour_name.lower())
        return named, texture, same_type, named
    return colour, texture, same_type, worn.name_scores.get(candidate.colour_name, 0.0)


def _shared(worn: Worn, candidate: Candidate) -> tuple[float, float]:
    """Histogram intersections of the colour and of the texture block, over the product's best photo."""
    shared = np.minimum(candidate.colours, worn.colours[None, :])
    return float(shared[:, :HISTOGRAM].sum(1).max()), float(shared[:, HISTOGRAM:].sum(1).max())


def agreement_table(worn: Worn, candidates: Sequence[Candidate]) -> np.ndarray:
    """`agreements` for every candidate at once (n x 4): the histogram intersections over all their photos
    in one NumPy pass, since a look ranks 120 products an item."""
    table = np.zeros((len(candidates), 4), np.float32)
    with_photos = [(n, c.colours) for n, c in enumerate(candidates) if c.colours is not None and len(c.colours)]
    if with_photos and not worn.chosen_colour:
        rows = np.concatenate([colours for _, colours in with_photos])
        shared = np.minimum(rows, worn.colours[None, :])
        starts = np.cumsum([0] + [len(colours) for _, colours in with_photos[:-1]])
        owners = [n for n, _ in with_photos]
        table[owners, 0] = np.maximum.reduceat(shared[:, :HISTOGRAM].sum(1), starts)
        table[owners, 1] = np.maximum.reduceat(shared[:, HISTOGRAM:].sum(1), starts)
    for n, c in enumerate(candidates):
        if worn.chosen_colour:
            table[n] = agreements(worn, c)
            continue
        table[n, 2] = worn.type_score if worn.article_type and worn.article_type == c.article_type else 0.0
        table[n, 3] = worn.name_scores.get(c.colour_name, 0.0)
    return table


def rerank(worn: Worn, candidates: Sequence[Candidate], weights: RankWeights, keep_first: bool = False):
    """(candidate, score) best first; `keep_first` leaves the embedder's first where it is (an exact match)."""
    if not candidates:
        return []
    w = np.array([weights.colour, weights.texture, weights.type, weights.name], np.float32)
    scores = np.array([c.similarity for c in candidates]) + agreement_table(worn, candidates) @ w
    scored = list(zip(candidates, scores.tolist(), strict=True))
    head, rest = (scored[:1], scored[1:]) if keep_first else ([], scored)
    return head + sorted(rest, key=lambda cs: cs[1], reverse=True)
