"""Evaluate the shipped gender classifier on a lookbook split: accuracy and its confusion matrix."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from .ml.gender import GenderClassifier

GENDERS = ("men", "women")


def gender_predictions(model_path: Path, lookbook: Path, split: str = "test") -> list[tuple[str, float, str]]:
    """(true gender, P(women), facing) for every scene of the split, classified on its person box."""
    classifier = GenderClassifier(model_path)
    out = []
    for line in (lookbook / "scenes" / f"{split}.jsonl").read_text().splitlines():
        row = json.loads(line)
        person = next((b for b in row["boxes"] if b["label"] == "person"), None)
        box = (person["x1"], person["y1"], person["x2"], person["y2"]) if person else None
        with Image.open(lookbook / row["scene"]) as image:
            out.append((row["gender"], classifier.classify(image, box).p_women, row.get("facing", "unknown")))
    return out


def confusion(predictions: list[tuple]) -> list[list[int]]:
    """Rows: true men, women; columns: predicted men, women. Extra fields after (truth, p) are ignored."""
    matrix = [[0, 0], [0, 0]]
    for truth, p, *_ in predictions:
        matrix[GENDERS.index(truth)][int(p >= 0.5)] += 1
    return matrix


def evaluate_gender(model_path: Path, lookbook: Path, split: str = "test") -> dict:
    return summarise(gender_predictions(model_path, lookbook, split), split)


def summarise(predictions: list[tuple[str, float, str]], split: str) -> dict:
    """Accuracy, confusion matrix and accuracy per facing of (truth, P(women), facing) predictions."""
    matrix = confusion(predictions)
    correct = matrix[0][0] + matrix[1][1]
    return {
        "split": split,
        "images": len(predictions),
        "accuracy": correct / max(1, len(predictions)),
        "confusion": matrix,
        # A back view hides the face, the strongest cue: worth seeing apart.
        "accuracy_by_facing": {
            facing: round(sum(_right(r) for r in rows) / len(rows), 4)
            for facing in sorted({r[2] for r in predictions})
            if (rows := [r for r in predictions if r[2] == facing])
        },
    }


def _right(prediction: tuple) -> bool:
    truth, p, *_ = prediction
    return (p >= 0.5) == (truth == "women")
