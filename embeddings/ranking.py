"""Results that look like the garment: the embedder's nearest products, re-ranked by colour, texture and type.

The embedder was trained on rendered crops, so on a real photo its nearest products often have
another colour or type than the worn garment. Three signals that do not depend on it are read on
both sides already: the colour histogram (lightness x colour class) and the texture block of
`detection.garment_colours`, and the garment's type, named by the ImageNet namer. Each candidate's
score is its cosine similarity plus a weighted agreement on each; the weights are chosen on the
real photos' dev split (`manage.py tune_ranking`), and an exact match stays first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from detection.garment_colours import HISTOGRAM


@dataclass(frozen=True)
class RankWeights:
    """How much each agreement adds to a candidate's cosine similarity (0 turns a signal off)."""

    colour: float = 0.0
    texture: float = 0.0
    type: float = 0.0

    @classmethod
    def parse(cls, text: str) -> RankWeights:
        """From "colour=0.2,texture=0.05,type=0.1" (a setting or a command-line option)."""
        pairs = [part.split("=") for part in text.split(",") if part.strip()]
        if any(len(pair) != 2 for pair in pairs):
            raise ValueError(f"ranking weights are name=value pairs, not {text!r}")
        values = {name.strip(): value for name, value in pairs}
        unknown = set(values) - {"colour", "texture", "type"}
        if unknown:
            raise ValueError(f"unknown ranking weight(s): {', '.join(sorted(unknown))}")
        return cls(**{k: float(v) for k, v in values.items()})

    def __str__(self) -> str:
        return f"colour={self.colour:g},texture={self.texture:g},type={self.type:g}"


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


def agreements(worn: Worn, candidate: Candidate) -> tuple[float, float, float]:
    """(colour, texture, type) agreement in [0, 1]: histogram intersections over the product's best photo (or,
    when the shopper chose a colour, whether the product is listed in it), and the namer's belief (1 for the
    shopper's choice) when the product is of the type given."""
    same_type = worn.type_score if worn.article_type and worn.article_type == candidate.article_type else 0.0
    if worn.chosen_colour:  # the shopper's word over the pixels
        colour = float(worn.chosen_colour.lower() == candidate.colour_name.lower())
        texture = 0.0 if candidate.colours is None or not len(candidate.colours) else _shared(worn, candidate)[1]
        return colour, texture, same_type
    if candidate.colours is None or not len(candidate.colours):
        return 0.0, 0.0, same_type
    colour, texture = _shared(worn, candidate)
    return colour, texture, same_type


def _shared(worn: Worn, candidate: Candidate) -> tuple[float, float]:
    """Histogram intersections of the colour and of the texture block, over the product's best photo."""
    shared = np.minimum(candidate.colours, worn.colours[None, :])
    return float(shared[:, :HISTOGRAM].sum(1).max()), float(shared[:, HISTOGRAM:].sum(1).max())


def rerank(worn: Worn, candidates: Sequence[Candidate], weights: RankWeights, keep_first: bool = False):
    """(candidate, score) best first; `keep_first` leaves the embedder's first where it is (an exact match)."""
    if not candidates:
        return []
    w = np.array([weights.colour, weights.texture, weights.type])
    scored = [(c, c.similarity + float(w @ np.array(agreements(worn, c)))) for c in candidates]
    head, rest = (scored[:1], scored[1:]) if keep_first else ([], scored)
    return head + sorted(rest, key=lambda cs: cs[1], reverse=True)
