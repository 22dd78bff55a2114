"""The catalog's colour names as its photos show them, to name a worn garment's colour the way the shop does.

Each colour name the catalog lists ("Navy Blue", "Khaki") is the mean colour histogram of its
products' photos (detection.garment_colours), so the names follow the shop's own photography and
naming rather than a fixed table. A worn garment takes the name whose mean its histogram shares
most with (measured once on the real dev split's labelled boxes: see docs/history.md).
"""

from __future__ import annotations

import threading

import numpy as np
from django.db.models import Count, Max

from detection.garment_colours import HISTOGRAM
from embeddings.ranking import name_means, name_scores

from .search import current_rows

PER_NAME = 400  # photos averaged per name at most: the mean settles long before, and a big catalog stays quick


class ColourNames:
    """Each catalog colour name's mean histogram, rebuilt when the embedded catalog changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self.names: tuple[str, ...] = ()
        self.means = np.zeros((0, HISTOGRAM), np.float32)

    def _rows(self):
        return current_rows().exclude(product__colour="")

    def refresh(self, stamp: tuple | None = None) -> None:
        """Rebuild the means if the catalog changed; `stamp` is what the caller already read of it (the vector
        index's signatures), saving the query that would read it again."""
        if stamp is None:
            stamp = tuple(self._rows().aggregate(n=Count("product_id"), last=Max("updated")).values())
        with self._lock:
            if stamp == self._stamp:
                return
            by_name: dict[str, list[np.ndarray]] = {}
            rows = self._rows().select_related("product").only("photos", "colours", "product__colour")
            for row in rows.order_by("-updated").iterator():
                colours = row.photo_colours()
                seen = by_name.setdefault(row.product.colour, [])
                if colours is not None and len(seen) < PER_NAME:
                    seen.extend(colours)
            self.names, self.means = name_means(by_name)
            self._stamp = stamp

    def scores(self, worn: np.ndarray) -> dict[str, float]:
        """How well each catalog colour name fits a worn garment's colours (garment_colours.SIZE): the share of
        its histogram the name's mean holds, the best name scoring 1; empty when nothing can be read.

        The names are as of the last `refresh` (the worker refreshes once a look, beside the index)."""
        if self._stamp is None:
            self.refresh()
        return name_scores(worn, self.names, self.means)

    def read(self, worn: np.ndarray) -> str:
        """The catalog colour name a worn garment's colours are closest to; "" if none."""
        scores = self.scores(worn)
        return max(scores, key=scores.get) if scores else ""


colour_names = ColourNames()
