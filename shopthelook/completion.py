"""Complete the look: per category, the catalog products that go best with the garments the look shows.

Every category the model was trained for is ranked whenever a look's items change (one index
search each, a few milliseconds); the page and the API show the categories the photo lacks, and the others when
the shopper asks. The compatibility model is linear in a product's features (embeddings.
compatibility): its embedder vector, which the index holds, then its photos' colours and ImageNet
classes, which it does not. So one search of the gender's partition with the vector part of the
query finds the `CANDIDATES` products that part ranks best, and each is then scored by the whole
model, by its best photo, from what is stored with it. With only vectors in the model, the
search alone is the ranking, exactly.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from catalog.product_vectors import embedded_versions, photo_features
from catalog.search import catalog_index
from detection import taxonomy
from detection.registry import ModelFileError
from embeddings.compatibility import CompatibilityModel, compatibility, search_vector
from embeddings.index import Hit

from .models import Complement, Look, LookItem

logger = logging.getLogger(__name__)

KEPT_PER_CATEGORY = 24  # stored per category; the shopper's filters choose among these
# Re-scored per category: the demo store's partitions hold about 100 products, so all of them.
CANDIDATES = 200


def worn_features(model: CompatibilityModel, items: Sequence[LookItem]) -> list[tuple[str, np.ndarray]]:
    """(category, features) of each embedded item, as the model reads them."""
    return [(i.category, model.worn(i.embedding(), i.worn_colours(), i.worn_classes())) for i in items if i.vector]


class PhotoRows:
    """Each catalog product's photos as the model reads them, kept in the worker between looks.

    Reading a product's classes (2 kB a photo) and projecting them costs about 10 ms a category
    for 200 products; the rows change only when the product is embedded again (its row's
    `updated`) or another model is loaded, so each is read once. At most `size` products are kept,
    the least recently used dropped first.
    """

    def __init__(self, size: int = 20_000):
        self.size, self.model, self.rows = size, None, OrderedDict()
        self.catalog, self.checked = None, set()  # the catalog's stamp, and the rows checked against it

    def get(self, model: CompatibilityModel, ids: Sequence[int], catalog: tuple | None = None) -> dict[int, np.ndarray]:
        """Product id -> (photos x features) of those of `ids` embedded by the current embedder.

        `catalog` is the vector index's stamp (each partition's count, newest update and ids): a row
        checked while it was the same cannot have been written since, so it is not asked again.
        """
        if model is not self.model:
            self.model, self.rows = model, OrderedDict()
        if catalog is None or catalog != self.catalog:
            self.catalog, self.checked = catalog, set()
        ask = [pid for pid in ids if pid not in self.checked or pid not in self.rows]
        stamps = dict(embedded_versions(ask)) if ask else {}
        stale = [pid for pid, stamp in stamps.items() if self.rows.get(pid, (None,))[0] != stamp]
        for pid, (stamp, read) in photo_features(stale).items():
            if not model_can_read(model, *read[1:]):
                self.rows.pop(pid, None)  # its colours or classes are not read yet (the ingest sweep reads them)
                continue
            self.rows[pid] = (stamp, model.features(*read))
        self.checked.update(stamps)
        out = {}
        for pid in ids:
            if pid in self.rows and pid in self.checked:
                self.rows.move_to_end(pid)
                out[pid] = self.rows[pid][1]
        while len(self.rows) > self.size:
            self.rows.popitem(last=False)
        return out


photo_rows = PhotoRows()


def model_can_read(model: CompatibilityModel, colours, classes) -> bool:
    """Whether a product's stored features hold every block the model reads: a missing block would
    score as zeros, ranking the product by the rest alone, so such a product is not ranked at all."""
    if model.colour_size and colours is None:
        return False
    return not ((model.class_size or model.types) and classes is None)


def loaded_model() -> CompatibilityModel | None:
    """The shipped compatibility model, or None (logged) when it is missing, corrupt or was trained on
    another embedder or namer than the shipped ones: then complete the look offers nothing rather than
    scores it cannot stand behind, and the rest of the look is unaffected."""
    try:
        return compatibility()
    except ModelFileError as exc:
        logger.error("complete the look is off: %s", exc)
        return None


def _rescored(model: CompatibilityModel, query: np.ndarray, hits: list[Hit]) -> list[tuple[int, float]]:
    """(product id, whole-model score by its best photo) of each hit, best first; scores are divided
    by the query's length, as the index's are."""
    stored = photo_rows.get(model, [h.id for h in hits], catalog_index().stamp)
    scale = max(float(np.linalg.norm(query)), 1e-12)
    # A hit re-embedded between the search and now is left out: it is back in the next ranking.
    scored = [(h.id, float((stored[h.id] @ query).max()) / scale) for h in hits if h.id in stored]
    return sorted(scored, key=lambda s: -s[1])


def rank_complements(look: Look, items: Sequence[LookItem], genders: Sequence[str]) -> list[Complement]:
    """Unsaved Complement rows for every category, from the worn `items` of the other categories; none
    for a look with no garment, or when no compatibility model can be trusted. The caller has
    refreshed the index."""
    model = loaded_model()
    worn = worn_features(model, items) if model is not None else []
    if not worn:
        return []
    rows = []
    for category in taxonomy.CATEGORY_NAMES:
        others = [(c, v) for c, v in worn if c != category]
        if not others or not model.completes(category):
            continue
        query = model.query_vector(others, category)
        if model.reads_more_than_vectors:
            hits = catalog_index().search(
                search_vector(model.vector_part(query)), CANDIDATES, genders, category, refresh=False
            )
            ranked = _rescored(model, query, hits)[:KEPT_PER_CATEGORY]
        else:
            hits = catalog_index().search(search_vector(query), KEPT_PER_CATEGORY, genders, category, refresh=False)
            ranked = [(h.id, h.score) for h in hits]
        rows += [
            Complement(look=look, category=category, product_id=pid, rank=rank, score=score)
            for rank, (pid, score) in enumerate(ranked, start=1)
        ]
    return rows


def replace_complements(look: Look, rows: list[Complement]) -> None:
    """Store `rows` as the look's suggestions, in place of any before (call inside the caller's transaction)."""
    look.complements.all().delete()
    Complement.objects.bulk_create(rows)


def recomplete(look: Look, genders: Sequence[str]) -> None:
    """Rank the suggestions again from the look's stored items (after a box is drawn, or the gender changed)."""
    replace_complements(look, rank_complements(look, look.items.all(), genders))
