"""When the first recommendation is the very product worn: the rule calibrated on the embedder's similarities."""

from __future__ import annotations

from dataclasses import dataclass

from detection.models.embedder import embedder

# A recommendation is an "exact match" when it is first, leads the runner-up by a clear margin,
# and is itself as similar as true matches are. The lead alone is not enough: a real photo against
# a catalog that cannot hold its garment still has a first result that leads. Both values are
# calibrated on the lookbook's validation split (`calibrate_exact_match`) and kept in the manifest;
# these defaults only apply to a manifest without them, and never label a match exact.
DEFAULT_EXACT_MATCH_MARGIN = 0.05


@dataclass(frozen=True)
class ExactMatchRule:
    margin: float  # the first result's least lead over the second
    min_similarity: float  # the least similarity of the first result itself

    def is_exact(self, first: float, second: float | None) -> bool:
        return first >= self.min_similarity and first - (second if second is not None else 0.0) >= self.margin


def exact_match_rule() -> ExactMatchRule:
    calibrated = embedder.entry.calibrated("exact_match")
    if calibrated.get("criterion") != "margin":
        return ExactMatchRule(DEFAULT_EXACT_MATCH_MARGIN, float("inf"))
    return ExactMatchRule(float(calibrated["threshold"]), float(calibrated.get("min_similarity", float("inf"))))
