"""The shared pgvector index, written through: a product's vectors change in the transaction that changes it.

With VECTOR_INDEX=pgvector every worker searches one table, so no process rebuilds anything. A
product's rows are rewritten when its vectors are stored (`embed_products`), when the product
itself is saved (it may have left stock or moved partition) and removed when it is deleted;
each time on the caller's transaction, so a search in another sees the partition before or after,
never empty. `sync_all` rewrites the table from ProductEmbedding, one partition per transaction,
for a catalog that predates the table (`rebuild_index`).

Nothing here loads LiteRT: the web process saves products too.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from embeddings.index import partition_key
from embeddings.pgvector_index import PgVectorIndex

from .models import ProductEmbedding
from .search import PHOTO_SLOTS, current_rows, shared, shared_index, slot_ids


def _current(product_ids: Iterable[int]):
    rows = current_rows().filter(product_id__in=list(product_ids))
    return rows.select_related("product").only("product_id", "photos", "vector", "product__gender", "product__category")


def write_through(product_ids: Iterable[int]) -> None:
    """Make the table hold exactly the current vectors of `product_ids` (none for one out of stock or deleted)."""
    if not shared():
        return
    ids = list(product_ids)
    with transaction.atomic():  # joins the caller's transaction when there is one
        rows = list(_current(ids))
        index = shared_index(rows[0].vectors().shape[1] if rows else None)
        if rows or index.table_exists():
            index.remove([i for pid in ids for i in slot_ids(pid)])
        for row in rows:
            _add(index, partition_key(row.product.gender, row.product.category), row)


def _add(index: PgVectorIndex, partition: str, row: ProductEmbedding) -> None:
    vectors = row.vectors()
    index.add(partition, slot_ids(row.product_id)[: len(vectors)], vectors)


def sync_all() -> int:
    """Rewrite the table from ProductEmbedding, one partition per transaction; the products it then holds."""
    rows = _current(ProductEmbedding.objects.values_list("product_id", flat=True))
    partitions: dict[str, list] = {}
    for row in rows.iterator():
        partitions.setdefault(partition_key(row.product.gender, row.product.category), []).append(row)
    dim = next((group[0].vectors().shape[1] for group in partitions.values()), None)
    index = shared_index(dim)
    if not index.table_exists():
        return 0
    with transaction.atomic():
        index.clear_other_models()
    for partition in sorted(set(partitions) | index.partitions()):
        with transaction.atomic():
            index.clear_partition(partition)
            for row in partitions.get(partition, []):
                _add(index, partition, row)
    return index.owners(PHOTO_SLOTS)
