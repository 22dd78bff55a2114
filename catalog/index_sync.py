"""Keep product vectors current: embed products' photos, read their colours and ImageNet classes, and mirror the
rows into the index."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Count, Max, Sum
from PIL import Image

from detection.garment_colours import SIZE as COLOUR_SIZE
from detection.garment_colours import product_colours
from detection.garment_names import garment_namer
from detection.imagenet_classes import CLASSES, classes_to_bytes
from embeddings.embedder import embedder
from embeddings.faiss_index import FaissIndex
from embeddings.index import (
    Hit,
    VectorIndex,
    best_per_product,
    indexes_view,
    partition_key,
    vector_to_bytes,
)

from .models import Gender, Product, ProductEmbedding, ProductImage
from .vector_store import PHOTO_SLOTS, shared, shared_index, sync_all

logger = logging.getLogger(__name__)


def indexed_photos(images: Iterable[ProductImage]) -> list[ProductImage]:
    """The photos a product is searched by, in position order: all but model shots (the thumbnail
    alone when that leaves none), at most PHOTO_SLOTS."""
    images = sorted(images, key=lambda i: i.position)
    kept = [i for i in images if indexes_view(i.view)] or [i for i in images if i.is_thumbnail]
    return kept[:PHOTO_SLOTS]


def photos_signature(images: Sequence[ProductImage]) -> str:
    return hashlib.sha256(",".join(i.sha256 for i in images).encode()).hexdigest()


def _images_by_product(product_ids: Iterable[int] | None = None) -> dict[int, list[ProductImage]]:
    images = ProductImage.objects.only("product_id", "position", "view", "sha256", "is_thumbnail", "image")
    if product_ids is not None:
        images = images.filter(product_id__in=list(product_ids))
    grouped: dict[int, list[ProductImage]] = {}
    for image in images.iterator():
        grouped.setdefault(image.product_id, []).append(image)
    return grouped


def _current(product_ids: Iterable[int] | None = None) -> dict[int, str]:
    """The photos signature of each product's vectors, where they are the current embedder's and its
    photos' colours and classes were read too (a catalog embedded before they were read is stale)."""
    return {
        pid: signature
        for pid, signature, photos, colours, classes in _embedded(product_ids).values_list(
            "product_id", "photos_sha256", "photos", "colours", "classes"
        )
        if len(colours) == photos * COLOUR_SIZE * 4 and len(classes) == photos * CLASSES * 2  # float32, float16
    }


def stale_product_ids() -> list[int]:
    """Products whose vectors are missing, made by another model or from other photos, or whose colours or
    classes are unread."""
    stored = _current()
    return sorted(
        pid
        for pid, images in _images_by_product().items()
        if (photos := indexed_photos(images)) and stored.get(pid) != photos_signature(photos)
    )


@dataclass
class Embedded:
    """What `embed_products` did: products embedded, and those it could not, with why."""

    done: int = 0
    failed: dict[int, str] = field(default_factory=dict)
    gone: list[int] = field(default_factory=list)  # deleted while being embedded: nothing to store


def embed_products(product_ids: Iterable[int], force: bool = False) -> Embedded:
    """Compute and store the vectors, colours and classes of each product's indexed photos, where missing or
    stale (or all, with `force`). Old rows are replaced only once the new exist.

    A photo that cannot be read (missing file, not an image) fails its product, named in the result,
    and the batch goes on; the product stays stale, so the next sweep tries it again. Any other error
    (a model that cannot read what it is given) is a bug and is raised.
    """
    entry = embedder.entry
    model, namer = embedder(), garment_namer()
    ids = list(product_ids)
    current = _current(ids)
    report = Embedded()
    for product_id, images in _images_by_product(ids).items():
        photos = indexed_photos(images)
        signature = photos_signature(photos)
        if not photos or (not force and current.get(product_id) == signature):
            continue  # re-scraped with the same photos: the vectors stand
        try:
            read = [_read_photo(model, namer, image) for image in photos]
        except UnreadablePhoto as exc:
            logger.error("product %s: cannot embed its photos: %s", product_id, exc)
            report.failed[product_id] = str(exc)
            continue
        vectors, colours, classes = (np.stack([r[k] for r in read]) for k in range(3))
        # One transaction with the shared index's rows (pgvector: the write-through signal joins it). The
        # product's row is locked first, as ingest and admin deletes take it: a product deleted while
        # its photos were read is skipped, never written as an orphan (an IntegrityError before).
        with transaction.atomic():
            if not Product.objects.select_for_update().filter(pk=product_id).exists():
                report.gone.append(product_id)
                continue
            ProductEmbedding.objects.update_or_create(
                product_id=product_id,
                defaults={
                    "model_sha256": entry.sha256,
                    "photos_sha256": signature,
                    "photos": len(photos),
                    "vector": vector_to_bytes(vectors),
                    "colours": vector_to_bytes(colours),
                    "classes": classes_to_bytes(classes),
                },
            )
        report.done += 1
    return report


class UnreadablePhoto(Exception):
    """A catalog photo's file is missing or is not an image it can be read as."""


def open_photo(image: ProductImage) -> Image.Image:
    """A catalog photo as RGB, or UnreadablePhoto naming the file and why."""
    try:
        with image.image.open("rb") as fh, Image.open(fh) as photo:
            return photo.convert("RGB")
    except (OSError, Image.DecompressionBombError, SyntaxError) as exc:  # Pillow's decoders raise these
        raise UnreadablePhoto(f"{image.image.name}: {exc}") from exc


def _read_photo(model, namer, image: ProductImage) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A catalog photo's (vector, colours, ImageNet class probabilities)."""
    rgb = open_photo(image)
    return model.embed(rgb), product_colours(rgb), namer.probabilities(rgb, None)


PhotoFeatures = tuple[np.ndarray, np.ndarray | None, np.ndarray | None]  # vectors, colours, classes


def _embedded(product_ids: Iterable[int] | None = None):
    """The rows of `product_ids` (all when None) embedded by the current embedder."""
    rows = ProductEmbedding.objects.filter(model_sha256=embedder.entry.sha256)
    return rows if product_ids is None else rows.filter(product_id__in=list(product_ids))


def embedded_versions(product_ids: Iterable[int]) -> list[tuple[int, object]]:
    """(product id, when its row was last written) of those embedded by the current embedder: what
    `photo_features` gives changes only with it."""
    return list(_embedded(product_ids).values_list("product_id", "updated"))


def photo_features(product_ids: Iterable[int]) -> dict[int, tuple[object, PhotoFeatures]]:
    """Each product's (when its row was written, (photos' vectors, their colours, their ImageNet
    classes; None where never read)), by the current embedder."""
    rows = _embedded(product_ids).only("product_id", "photos", "vector", "colours", "classes", "updated")
    return {row.product_id: (row.updated, (row.vectors(), row.photo_colours(), row.photo_classes())) for row in rows}


def search_partitions(genders: Sequence[str], category: str) -> list[str]:
    """The index partitions a search for `genders` covers; unisex products fit everyone."""
    wanted = [*genders, Gender.UNISEX] if Gender.UNISEX not in genders else list(genders)
    return [partition_key(g, category) for g in dict.fromkeys(wanted)]


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

    def _rows(self):
        model = embedder.entry.sha256
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
        rows = self._rows().filter(product__gender=gender, product__category=category)
        ids, vectors = [], []
        for row in rows.only("product_id", "photos", "vector"):
            ids += [row.product_id * PHOTO_SLOTS + slot for slot in range(row.photos)]
            vectors.append(row.vectors())
        if self._index is None:
            if not ids:
                return
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
