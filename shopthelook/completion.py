"""Complete the look: per category, the catalog products that go best with the garments the look shows.

Every category is ranked whenever a look's items change (three index searches, a few
milliseconds); the page and the API show the categories the photo lacks, and the others when
the shopper asks. The ranking is exact: the compatibility model is linear in a product's vector
(embeddings.compatibility), so one search of the gender's partition with its query vector is it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from catalog import taxonomy
from catalog.index_sync import catalog_index
from embeddings.compatibility import compatibility, search_vector

from .models import Complement, Look

KEPT_PER_CATEGORY = 24  # stored per category; the shopper's filters choose among these


def rank_complements(look: Look, worn: Sequence[tuple[str, np.ndarray]], genders: Sequence[str]) -> list[Complement]:
    """Unsaved Complement rows for every category, from the `worn` garments of the other categories
    ((category, vector) pairs); none for a look with no garment. The caller has refreshed the index."""
    if not worn:
        return []
    model = compatibility()
    rows = []
    for category in taxonomy.CATEGORY_NAMES:
        others = [(c, v) for c, v in worn if c != category]
        if not others:
            continue
        query = search_vector(model.query_vector(others, category))
        hits = catalog_index().search(query, KEPT_PER_CATEGORY, genders, category, refresh=False)
        rows += [
            Complement(look=look, category=category, product_id=h.id, rank=rank, score=h.score)
            for rank, h in enumerate(hits, start=1)
        ]
    return rows


def replace_complements(look: Look, rows: list[Complement]) -> None:
    """Store `rows` as the look's suggestions, in place of any before (call inside the caller's transaction)."""
    look.complements.all().delete()
    Complement.objects.bulk_create(rows)


def recomplete(look: Look, genders: Sequence[str]) -> None:
    """Rank the suggestions again from the look's stored item vectors (after a box is drawn, or the gender changed)."""
    worn = [(item.category, item.embedding()) for item in look.items.all() if item.vector]
    replace_complements(look, rank_complements(look, worn, genders))
