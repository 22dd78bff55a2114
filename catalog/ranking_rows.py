"""What the ranking reads of each catalog product (its photos' colours, type and colour name), kept in the worker.

A look's items each rank 120 products: reading their colour blobs from the database every time cost
milliseconds an item. The blobs change only when a product is embedded again (its row's `updated`),
so each is read once and checked by that stamp after, in the one light query a search makes (which
also reads the product's type and colour name as they are now). At most `size` products are kept,
the least recently used dropped first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from detection.models.embedder import embedder
from embeddings.index import Hit
from embeddings.ranking import Candidate

from .models import ProductEmbedding


class RankingRows:
    def __init__(self, size: int = 50_000):
        self.size = size
        self.colours: OrderedDict[int, tuple[object, np.ndarray | None]] = OrderedDict()  # id -> (stamp, colours)
        self._lock = threading.Lock()

    def candidates(self, found: Sequence[Sequence[Hit]]) -> list[list[Candidate]]:
        """For each list of hits, its products in order with what the ranking compares (one query for all);
        a product the current embedder has not embedded comes with nothing to compare."""
        ids = {h.id for hits in found for h in hits}
        rows = ProductEmbedding.objects.filter(model_sha256=embedder.entry.sha256, product_id__in=ids)
        listed = {
            pid: rest
            for pid, *rest in rows.values_list("product_id", "updated", "product__article_type", "product__colour")
        }
        with self._lock:
            stale = [pid for pid, (stamp, *_) in listed.items() if self.colours.get(pid, (None,))[0] != stamp]
            if stale:
                for row in rows.filter(product_id__in=stale).only("product_id", "photos", "colours", "updated"):
                    self.colours[row.product_id] = (row.updated, row.photo_colours())
            out = [[self._candidate(h, listed) for h in hits] for hits in found]
            while len(self.colours) > self.size:
                self.colours.popitem(last=False)
        return out

    def _candidate(self, hit: Hit, listed: dict) -> Candidate:
        if hit.id not in listed or hit.id not in self.colours:
            return Candidate(hit.id, hit.score, None, "")
        self.colours.move_to_end(hit.id)
        _, article_type, colour = listed[hit.id]
        return Candidate(hit.id, hit.score, self.colours[hit.id][1], article_type, colour)


ranking_rows = RankingRows()
