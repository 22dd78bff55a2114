"""Detection quality: average precision per class at one or many IoU thresholds (COCO style)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from detection.boxes import iou_matrix

IOU_THRESHOLDS = tuple(np.round(np.arange(0.5, 0.96, 0.05), 2))


@dataclass(frozen=True)
class ImageResult:
    """One image's ground truth and predictions: (label, x1, y1, x2, y2) and (label, score, box)."""

    truth: Sequence[tuple[str, float, float, float, float]]
    predicted: Sequence[tuple[str, float, float, float, float, float]]


def average_precision(recall: np.ndarray, precision: np.ndarray) -> float:
    """Mean interpolated precision at 101 recall points (0, 0.01, ..., 1), as COCO computes it."""
    recall = np.asarray(recall, np.float64)
    if recall.size == 0:
        return 0.0
    envelope = np.flip(np.maximum.accumulate(np.flip(np.asarray(precision, np.float64))))
    idx = np.searchsorted(recall, np.linspace(0, 1, 101), side="left")
    sampled = np.where(idx < len(envelope), envelope[np.minimum(idx, len(envelope) - 1)], 0.0)
    return float(sampled.mean())


def pr_curve(results: Sequence[ImageResult], label: str, iou: float) -> tuple[np.ndarray, np.ndarray, int]:
    """(recall, precision, number of true boxes) for one class, predictions ranked by score."""
    scored: list[tuple[float, bool]] = []
    n_true = 0
    for res in results:
        truth = np.array([t[1:] for t in res.truth if t[0] == label], np.float64).reshape(-1, 4)
        preds = sorted((p for p in res.predicted if p[0] == label), key=lambda p: -p[1])
        n_true += len(truth)
        taken = np.zeros(len(truth), bool)
        for p in preds:
            hit = False
            if len(truth):
                overlaps = iou_matrix(np.array(p[2:]), truth)[0]
                overlaps[taken] = -1
                best = int(overlaps.argmax())
                if overlaps[best] >= iou:
                    taken[best] = hit = True
            scored.append((p[1], hit))
    scored.sort(key=lambda s: -s[0])
    hits = np.array([h for _, h in scored], bool)
    tp = np.cumsum(hits)
    fp = np.cumsum(~hits)
    recall = tp / max(n_true, 1)
    precision = tp / np.maximum(tp + fp, 1)
    return recall, precision, n_true


def detection_map(results: Sequence[ImageResult], labels: Sequence[str]) -> dict[str, dict[str, float]]:
    """{label: {"map50": AP at IoU 0.5, "map50_95": AP averaged over IoU 0.50:0.95}}."""
    out = {}
    for label in labels:
        aps = []
        for t in IOU_THRESHOLDS:
            recall, precision, n_true = pr_curve(results, label, float(t))
            aps.append(average_precision(recall, precision) if n_true else float("nan"))
        out[label] = {"map50": aps[0], "map50_95": float(np.mean(aps))}
    return out
