"""Fill in the blank and AUC for complete the look: the questions, the scorers and the figures."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from embeddings.compatibility import CATEGORIES, CompatibilityModel

from .outfits import Outfit, Products

CANDIDATES = 4  # fill in the blank: the true product and three others of its category


@dataclass(frozen=True)
class Question:
    """Fill in the blank: the outfit without one garment, and candidates for it (the true one first)."""

    outfit: Outfit
    missing: int  # index into outfit.garments
    candidates: tuple[int, ...]  # indexes into Products; candidates[0] is the one worn

    @property
    def category(self) -> str:
        return self.outfit.garments[self.missing].category

    def worn(self) -> list[tuple[str, np.ndarray]]:
        """(category, crop vector) of the garments worn beside the missing one."""
        return [(g.category, g.crop) for i, g in enumerate(self.outfit.garments) if i != self.missing]

    def worn_features(self, model: CompatibilityModel) -> list[tuple[str, np.ndarray]]:
        """(category, features) of the garments worn beside the missing one, as `model` reads them."""
        return [
            (g.category, model.worn(g.crop, g.colours, g.classes))
            for i, g in enumerate(self.outfit.garments)
            if i != self.missing
        ]


def fitb_questions(outfits: list[Outfit], products: Products, seed: int = 0) -> list[Question]:
    """One question per garment of each outfit of two or more: its product against three others of
    the same gender and category, each of another family, drawn from the products of the outfit's
    own split (for held-out outfits: products no training saw)."""
    rng = random.Random(seed)
    index = products.index()
    questions = []
    for outfit in outfits:
        if len(outfit.garments) < 2:
            continue
        for m, garment in enumerate(outfit.garments):
            true = index.get(garment.product or "")
            if true is None:
                continue
            pool = np.flatnonzero(
                (products.gender == products.gender[true])
                & (products.category == garment.category)
                & (products.split == products.split[true])
                & (products.family != products.family[true])
            )
            if len(pool) < CANDIDATES - 1:
                continue
            picks, families = [], set()
            for i in rng.sample(list(pool), len(pool)):
                if products.family[i] not in families:
                    picks.append(int(i))
                    families.add(products.family[i])
                if len(picks) == CANDIDATES - 1:
                    break
            if len(picks) == CANDIDATES - 1:
                questions.append(Question(outfit, m, (true, *picks)))
    return questions


Scorer = Callable[[Question, Products], np.ndarray]  # a question -> one score per candidate


def model_scorer(model: CompatibilityModel) -> Scorer:
    """The model as the app ranks: one query vector, each candidate by its best photo's features."""
    read: dict[int, np.ndarray] = {}  # each Products' photo features, read once

    def score(question: Question, products: Products) -> np.ndarray:
        if id(products) not in read:
            read.clear()
            read[id(products)] = model.features(products.photos, products.colours, products.classes)
        q = model.query_vector(question.worn_features(model), question.category)
        return products.best_photo_scores(q, list(question.candidates), read[id(products)])[0]

    return score


def similarity_scorer(question: Question, products: Products) -> np.ndarray:
    """The baseline: how visually similar each candidate is to the garments worn (summed cosine, best photo)."""
    worn = np.stack([v for _, v in question.worn()])
    return products.best_photo_scores(worn, list(question.candidates)).sum(axis=0)


def scored(scorer: Scorer, questions: list[Question], products: Products) -> np.ndarray:
    """Questions x candidates: each candidate's score, the worn one first."""
    return np.stack([scorer(q, products) for q in questions]) if questions else np.zeros((0, CANDIDATES))


def fitb_accuracy(model: CompatibilityModel, questions: list[Question], products: Products) -> float:
    return fitb(scored(model_scorer(model), questions, products))["fitb"]


def fitb(scores: np.ndarray) -> dict:
    """Fill-in-the-blank accuracy (ties count as a share) and compatibility AUC of scored questions:
    how often a true completion outscores a random product of its category, pooled across outfits."""
    if not len(scores):
        return {"questions": 0, "fitb": 0.0, "auc": 0.5}
    top = scores == scores.max(axis=1, keepdims=True)
    return {
        "questions": len(scores),
        "fitb": float((top[:, 0] / top.sum(axis=1)).mean()),
        "auc": auc(scores[:, 0], scores[:, 1:].ravel()),
    }


def auc(positives: np.ndarray, negatives: np.ndarray) -> float:
    """P(a positive scores above a negative), ties counting half (Mann-Whitney)."""
    negatives = np.sort(negatives)
    below = np.searchsorted(negatives, positives, side="left")
    tied = np.searchsorted(negatives, positives, side="right") - below
    return float((below + tied / 2).sum() / (len(positives) * len(negatives)))


def breakdown(scores: np.ndarray, questions: list[Question]) -> dict:
    """FITB and AUC of scored questions: all of them, then by missing category and by how the outfit was dressed."""

    def of(keep) -> dict:
        return fitb(scores[np.array([keep(q) for q in questions], bool)])

    out = {"all": fitb(scores)}
    for c in CATEGORIES:
        out[c] = of(lambda q, c=c: q.category == c)
    if any(q.outfit.styled is not None for q in questions):
        out["styled"] = of(lambda q: bool(q.outfit.styled))
        out["random"] = of(lambda q: q.outfit.styled is False)
    return out
