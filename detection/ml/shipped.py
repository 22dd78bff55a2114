"""The shipped models from weights/, each loaded once per process on first use."""

from __future__ import annotations

from functools import lru_cache

from embeddings.ml.embedder import Embedder

from .garments import GarmentDetector
from .gender import GenderClassifier
from .model_files import ModelEntry, verified_model


@lru_cache(maxsize=1)
def garment_detector() -> GarmentDetector:
    return GarmentDetector(verified_model("garment_detector").path)


@lru_cache(maxsize=1)
def gender_classifier() -> GenderClassifier:
    return GenderClassifier(verified_model("gender_classifier").path)


@lru_cache(maxsize=1)
def embedder() -> Embedder:
    return Embedder(verified_model("embedder").path)


def embedder_entry() -> ModelEntry:
    """The embedder's manifest entry: its sha256 tags every stored vector, so a new model re-embeds."""
    return verified_model("embedder")


# A recommendation is an "exact match" when it is first and leads the runner-up by at least this
# much cosine similarity. The manifest carries the value calibrated on the lookbook's validation
# split (`calibrate_exact_match`); this default only applies to a manifest without one.
DEFAULT_EXACT_MATCH_MARGIN = 0.05


def exact_match_margin() -> float:
    calibrated = embedder_entry().info.get("exact_match", {})
    if calibrated.get("criterion") != "margin":
        return DEFAULT_EXACT_MATCH_MARGIN
    return float(calibrated["threshold"])
