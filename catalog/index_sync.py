"""Keep product vectors current: embed products' thumbnails, and mirror the rows into the vector index."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Count, F, Max, Sum
from PIL import Image

from detection.ml import shipped
from embeddings.faiss_index import FaissIndex
from embeddings.index import Hit, VectorIndex, partition_key, vector_from_bytes, vector_to_bytes

from .models import Gender, ProductEmbedding, ProductImage

logger = logging.getLogger(__name__)


def stale_product_ids() -> list[int]:
    """Products whose vector is missing, made by another model, or made from an older photo."""
    model = shipped.embedder_entry().sha256
    fresh = ProductEmbedding.objects.filter(
        model_sha256=model, product__images__is_thumbnail=True, image_sha256=F("product__images__sha256")
    ).values_list("product_id", flat=True)
    with_photo = ProductImage.objects.filter(is_thumbnail=True).values_list("product_id", flat=True)
    return sorted(set(with_photo) - set(fresh))


def embed_products(product_ids: Iterable[int], force: bool = False) -> int:
    """Compute and store the vector of each product's thumbnail, where missing or stale (or all, with
    `force`); the number made. An old vector is replaced only once the new one exists."""
    entry = shipped.embedder_entry()
    model = shipped.embedder()
    done = 0
    ids = list(product_ids)
    current = dict(
        ProductEmbedding.objects.filter(product_id__in=ids, model_sha256=entry.sha256).values_list(
            "product_id", "image_sha256"
        )
    )
    thumbs = ProductImage.objects.filter(product_id__in=ids, is_thumbnail=True)
    for thumb in thumbs.iterator():
        if not force and current.get(thumb.product_id) == thumb.sha256:
            continue  # re-scraped with the same photo: the vector stands
        try:
            with thumb.image.open("rb") as fh, Image.open(fh) as image:
                vector = model.embed(image.convert("RGB"))
        except (OSError, ValueError) as exc:  # a file gone missing must not stop the batch
            logger.warning("product %s: cannot embed %s: %s", thumb.product_id, thumb.image.name, exc)
            continue
        ProductEmbedding.objects.update_or_create(
            product_id=thumb.product_id,
            defaults={
                "model_sha256": entry.sha256,
                "image_sha256": thumb.sha256,
                "vector": vector_to_bytes(vector),
            },
        )
        done += 1
    return done


def search_partitions(genders: Sequence[str], category: str) -> list[str]:
    """The index partitions a search for `genders` covers; unisex products fit everyone."""
    wanted = [*genders, Gender.UNISEX] if Gender.UNISEX not in genders else list(genders)
    return [partition_key(g, category) for g in dict.fromkeys(wanted)]


def new_vector_index(dim: int) -> VectorIndex:
    """An empty index of the configured backend (settings.VECTOR_INDEX)."""
    if settings.VECTOR_INDEX == "faiss":
        return FaissIndex(dim)
    if settings.VECTOR_INDEX == "pgvector":
        from embeddings.pgvector_index import PgVectorIndex

        if connection.vendor != "postgresql":
            raise ImproperlyConfigured("VECTOR_INDEX=pgvector needs DATABASE_URL to point at PostgreSQL")
        index = PgVectorIndex(connection.cursor, dim)
        index.ensure()
        index.clear_all()  # the rows are rebuilt from ProductEmbedding, partition by partition
        return index
    raise ImproperlyConfigured(f"VECTOR_INDEX must be faiss or pgvector, not {settings.VECTOR_INDEX!r}")


class CatalogIndex:
    """The vector index, kept in step with ProductEmbedding rows (one per worker process).

    Before each search it reads a signature per partition (count, newest update and the sum of
    ids, one grouped query) and rebuilds only partitions whose signature moved: a product scraped,
    re-embedded, moved to another partition, out of stock or deleted all move one.
    """

    def __init__(self) -> None:
        self._index: VectorIndex | None = None
        self._signatures: dict[str, tuple] = {}
        self._lock = threading.Lock()

    def _rows(self):
        model = shipped.embedder_entry().sha256
        return ProductEmbedding.objects.filter(model_sha256=model, product__in_stock=True)

    def refresh(self) -> None:
        with self._lock:
            groups = self._rows().values("product__gender", "product__category")
            signatures = {
                partition_key(r["product__gender"], r["product__category"]): (r["n"], r["last"], r["ids"])
                for r in groups.annotate(n=Count("product_id"), last=Max("updated"), ids=Sum("product_id"))
            }
            for partition in set(self._signatures) | set(signatures):
                if self._signatures.get(partition) != signatures.get(partition):
                    self._rebuild(partition)
            self._signatures = signatures

    def _rebuild(self, partition: str) -> None:
        gender, category = partition.split("/")
        rows = list(
            self._rows().filter(product__gender=gender, product__category=category).values_list("product_id", "vector")
        )
        if self._index is None:
            if not rows:
                return
            self._index = new_vector_index(len(bytes(rows[0][1])) // 4)
        self._index.clear_partition(partition)
        if rows:
            ids = [pid for pid, _ in rows]
            vectors = np.stack([vector_from_bytes(v) for _, v in rows])
            self._index.add(partition, ids, vectors)
        logger.info("vector index: %s rebuilt with %d products", partition, len(rows))

    def search(
        self, vector: np.ndarray, k: int, genders: Sequence[str], category: str, refresh: bool = True
    ) -> list[Hit]:
        """Nearest products; `refresh=False` when the caller just refreshed (one check per look, not per item)."""
        if refresh:
            self.refresh()
        if self._index is None:
            return []
        return self._index.search(vector, k, search_partitions(genders, category))

    def __len__(self) -> int:
        return 0 if self._index is None else len(self._index)


_catalog_index: CatalogIndex | None = None


def catalog_index() -> CatalogIndex:
    """This process's index (built lazily, so the web process never builds one it does not use)."""
    global _catalog_index
    if _catalog_index is None:
        _catalog_index = CatalogIndex()
    return _catalog_index
