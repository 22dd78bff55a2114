"""Evaluate the shipped (TFLite) detector on a lookbook split."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from detection.models.garments import GarmentDetector
from detection.taxonomy import CATEGORY_NAMES, DETECTOR_CLASSES

from .detection_metrics import ImageResult, detection_map

CLASSES = DETECTOR_CLASSES  # what the lookbook labels and the detector is trained on
GARMENTS = CATEGORY_NAMES


def lookbook_truth(lookbook: Path, split: str) -> list[tuple[Path, list[tuple[str, float, float, float, float]]]]:
    rows = [json.loads(line) for line in (lookbook / "scenes" / f"{split}.jsonl").read_text().splitlines()]
    return [
        (lookbook / r["scene"], [(b["label"], b["x1"], b["y1"], b["x2"], b["y2"]) for b in r["boxes"]]) for r in rows
    ]


def detector_results(
    model_path: Path, lookbook: Path, split: str = "test", limit: int | None = None
) -> list[ImageResult]:
    """Every image of the split with its true boxes and the detector's (low threshold, for PR curves)."""
    detector = GarmentDetector(model_path, CLASSES)
    results = []
    for path, truth in lookbook_truth(lookbook, split)[:limit]:
        with Image.open(path) as image:
            boxes = detector.predict(image.convert("RGB"), conf=0.001, iou=0.6, max_det=100)
        results.append(ImageResult(truth, [(b.label, b.score, b.x1, b.y1, b.x2, b.y2) for b in boxes]))
    return results


def summarise(results: list[ImageResult], split: str) -> dict:
    """mAP@0.5 and mAP@0.5:0.95 per class, and their mean over the three garment classes."""
    per_class = detection_map(results, CLASSES)
    return {
        "split": split,
        "images": len(results),
        "map50": sum(per_class[c]["map50"] for c in GARMENTS) / len(GARMENTS),
        "map50_95": sum(per_class[c]["map50_95"] for c in GARMENTS) / len(GARMENTS),
        "per_class": per_class,
    }


def evaluate_detector(model_path: Path, lookbook: Path, split: str = "test", limit: int | None = None) -> dict:
    return summarise(detector_results(model_path, lookbook, split, limit), split)
