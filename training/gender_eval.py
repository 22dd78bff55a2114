"""Evaluate the shipped gender classifier on a lookbook split: accuracy and its confusion matrix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

from PIL import Image

from detection.models.gender import GenderClassifier
from detection.taxonomy import SHOPPER_GENDERS

GENDERS = SHOPPER_GENDERS  # confusion rows and columns: men, then women


class Prediction(NamedTuple):
    truth: str  # men or women
    p_women: float
    facing: str = "unknown"  # front, back or side

    @property
    def right(self) -> bool:
        return (self.p_women >= 0.5) == (self.truth == "women")


def gender_predictions(model_path: Path, lookbook: Path, split: str = "test") -> list[Prediction]:
    """A prediction for every scene of the split, classified on its person box."""
    classifier = GenderClassifier(model_path)
    out = []
    for line in (lookbook / "scenes" / f"{split}.jsonl").read_text().splitlines():
        row = json.loads(line)
        person = next((b for b in row["boxes"] if b["label"] == "person"), None)
        box = (person["x1"], person["y1"], person["x2"], person["y2"]) if person else None
        with Image.open(lookbook / row["scene"]) as image:
            p_women = classifier.predict(image, box).p_women
        out.append(Prediction(row["gender"], p_women, row.get("facing", "unknown")))
    return out


def confusion(predictions: list[Prediction]) -> list[list[int]]:
    """Rows: true men, women; columns: predicted men, women."""
    matrix = [[0, 0], [0, 0]]
    for p in predictions:
        matrix[GENDERS.index(p.truth)][int(p.p_women >= 0.5)] += 1
    return matrix


def accuracy(predictions: list[Prediction]) -> float:
    return sum(p.right for p in predictions) / max(1, len(predictions))


def evaluate_gender(model_path: Path, lookbook: Path, split: str = "test") -> dict:
    return summarise(gender_predictions(model_path, lookbook, split), split)


def summarise(predictions: list[Prediction], split: str) -> dict:
    """Accuracy, confusion matrix, and accuracy per facing: a back view hides the face, the strongest cue."""
    facings = sorted({p.facing for p in predictions})
    return {
        "split": split,
        "images": len(predictions),
        "accuracy": accuracy(predictions),
        "confusion": confusion(predictions),
        "accuracy_by_facing": {f: round(accuracy([p for p in predictions if p.facing == f]), 4) for f in facings},
    }
