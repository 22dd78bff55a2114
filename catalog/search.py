"""Search the catalog: its gender x category partitions, the photos each product is searched by, and the index.

The index is FAISS in each worker, kept in step with the ProductEmbedding rows, or the pgvector table every
worker shares (VECTOR_INDEX); a product's photos take the ids product * PHOTO_SLOTS + slot in either.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Count, Max, Sum

from detection.registry import verified_model
from detection.taxonomy import CATEGORY_NAMES, GENDERS, SHOPPER_GENDERS
from embeddings.index import Hit, VectorIndex, best_per_product, indexes_view, partition_key
from embeddings.pgvector_index import PgVectorIndex

from .models import Category, Gender, Product, ProductEmbedding, ProductImage

logger = logging.getLogger(__name__)


PHOTO_SLOTS = 8  # photos indexed per product at most; a photo's id in the index is product * 8 + slot
_ensured: set[str] = set()  # the databases whose table this process has checked
# Every partition a product can be in gets its own HNSW graph (embeddings.pgvector_index).
ALL_PARTITIONS = tuple(partition_key(g.name, c) for g in GENDERS for c in CATEGORY_NAMES)


@dataclass(frozen=True)
class Partition:
    gender: str
    category: str

    @property
    def label(self) -> str:
        return f"{Gender(self.gender).label} {Category(self.category).label}"


PARTITIONS: tuple[Partition, ...] = tuple(Partition(g, c) for g in SHOPPER_GENDERS for c in CATEGORY_NAMES)


def partition_sizes() -> list[tuple[Partition, int]]:
    """Each searchable partition with the number of products in it (unisex counted in both)."""
    counts = Product.objects.partition_counts()
    sizes = []
    for part in PARTITIONS:
        n = counts.get((part.gender, part.category), 0)
        n += counts.get((Gender.UNISEX, part.category), 0)
        sizes.append((part, n))
    return sizes


def search_partitions(genders: Sequence[str], category: str) -> list[str]:
    """The index partitions a search for `genders` covers; unisex products fit everyone."""
    wanted = [*genders, Gender.UNISEX] if Gender.UNISEX not in genders else list(genders)
    return [partition_key(g, category) for g in dict.fromkeys(wanted)]


def indexed_photos(images: Iterable[ProductImage]) -> list[ProductImage]:
    """The photos a product is searched by, in position order: all but model shots (the thumbnail
    alone when that leaves none), at most PHOTO_SLOTS."""
    images = sorted(images, key=lambda i: i.position)
    kept = [i for i in images if indexes_view(i.view)] or [i for i in images if i.is_thumbnail]
    return kept[:PHOTO_SLOTS]


def shared() -> bool:
    """True for the shared pgvector table, False for FAISS in each worker (settings.VECTOR_INDEX)."""
    if settings.VECTOR_INDEX not in ("faiss", "pgvector"):
        raise ImproperlyConfigured(f"VECTOR_INDEX must be faiss or pgvector, not {settings.VECTOR_INDEX!r}")
    return settings.VECTOR_INDEX == "pgvector"


def shared_index(dim: int | None = None) -> PgVectorIndex:
    """The table, as the current embedder's rows; created on first use (`dim` is needed only then)."""
    index = PgVectorIndex(connection.cursor, dim or 0, model=verified_model("embedder").sha256)
    name = connection.settings_dict["NAME"]
    if name not in _ensured and dim:
        index.ensure(ALL_PARTITIONS)
        _ensured.add(name)
    return index


def slot_ids(product_id: int) -> list[int]:
    return [product_id * PHOTO_SLOTS + slot for slot in range(PHOTO_SLOTS)]


def current_rows():
    """The ProductEmbedding rows a search covers: of products in stock, by the shipped embedder."""
    return ProductEmbedding.objects.filter(model_sha256=verified_model("embedder").sha256, product__in_stock=True)


class CatalogIndex:
    """The FAISS index, kept in step with ProductEmbedding rows (one per worker process).

    Before each search it reads a signature per partition (count, newest update and the sum of
    ids, one grouped query) and rebuilds only partitions whose signature moved: a product scraped,
    re-embedded, moved to another partition, out of stock or deleted all move one.
    """

    def __init__(self) -> None:
        self._index: VectorIndex | None = None
        self._signatures: dict[str, tuple] = {}
        self._products: dict[str, int] = {}  # per partition
        self._lock = threading.Lock()

    def refresh(self) -> None:
        with self._lock:
            groups = current_rows().values("product__gender", "product__category")
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
        rows = current_rows().filter(product__gender=gender, product__category=category)
        ids, vectors = [], []
        for row in rows.only("product_id", "photos", "vector"):
            ids += slot_ids(row.product_id)[: row.photos]
            vectors.append(row.vectors())
        if self._index is None:
            if not ids:
                return
            from embeddings.faiss_index import FaissIndex  # only a worker that searches loads FAISS

            self._index = FaissIndex(vectors[0].shape[1])
        self._index.clear_partition(partition)
        self._products[partition] = len(vectors)
        if ids:
            self._index.add(partition, ids, np.concatenate(vectors))
        logger.info("vector index: %s rebuilt with %d products, %d photos", partition, len(vectors), len(ids))

    def rebuild(self) -> None:
        """Build every partition that changed (all of them in a new process)."""
        self.refresh()

    @property
    def stamp(self) -> tuple:
        """What the last refresh saw of the catalog (each partition's count, newest update, sum of ids)."""
        return tuple(sorted(self._signatures.items()))

    def search(
        self, vector: np.ndarray, k: int, genders: Sequence[str], category: str, refresh: bool = True
    ) -> list[Hit]:
        """Nearest products, each by its best photo; `refresh=False` when the caller just refreshed (one
        check per look, not per item)."""
        if refresh:
            self.refresh()
        if self._index is None:
            return []
        hits = self._index.search(vector, k * PHOTO_SLOTS, search_partitions(genders, category))
        return best_per_product(hits, k, PHOTO_SLOTS)

    def __len__(self) -> int:
        """Products indexed (each under one or more photos)."""
        return sum(self._products.values())


class SharedCatalogIndex:
    """The pgvector table every worker shares. It is written through (catalog.vector_store), so a
    search reads the catalog as committed and there is nothing to refresh."""

    stamp = None  # no signature of the catalog is kept: what reads one (colour names) queries it

    def refresh(self) -> None:
        if connection.vendor != "postgresql":
            raise ImproperlyConfigured("VECTOR_INDEX=pgvector needs DATABASE_URL to point at PostgreSQL")

    def search(
        self, vector: np.ndarray, k: int, genders: Sequence[str], category: str, refresh: bool = True
    ) -> list[Hit]:
        if refresh:
            self.refresh()
        hits = shared_index(len(vector)).search(vector, k * PHOTO_SLOTS, search_partitions(genders, category))
        return best_per_product(hits, k, PHOTO_SLOTS)

    def rebuild(self) -> int:
        """Rewrite the table from ProductEmbedding (a catalog embedded before the table existed)."""
        from .vector_store import sync_all  # it writes through this module's table: imported where used

        self.refresh()
        return sync_all()

    def __len__(self) -> int:
        index = shared_index()
        return index.owners(PHOTO_SLOTS) if index.table_exists() else 0


_catalog_index: CatalogIndex | SharedCatalogIndex | None = None


def catalog_index() -> CatalogIndex | SharedCatalogIndex:
    """This process's index (built lazily, so the web process never builds one it does not use)."""
    global _catalog_index
    if _catalog_index is None:
        _catalog_index = SharedCatalogIndex() if shared() else CatalogIndex()
    return _catalog_index
