"""Keep product vectors current: embed products' photos, read their colours and ImageNet classes, and store
them (the shared index is written through in the same transaction; catalog.search reads them)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction
from PIL import Image

from detection.garment_colours import SIZE as COLOUR_SIZE
from detection.models.embedder import embedder
from detection.models.garment_names import garment_namer
from embeddings.feature_codec import CLASSES, stored_size, to_bytes
from embeddings.garment_features import GarmentFeatures, read_product_photo

from .models import Product, ProductEmbedding, ProductImage
from .search import indexed_photos

logger = logging.getLogger(__name__)
STORED_PARTS = ("vector", "colours", "classes")  # each photo's, stacked in position order


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
        if len(colours) == stored_size("colours", photos * COLOUR_SIZE)
        and len(classes) == stored_size("classes", photos * CLASSES)
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
    for load in (embedder, garment_namer):
        load()  # a missing or corrupt model fails the batch here, before any product is read
    ids = list(product_ids)
    current = _current(ids)
    report = Embedded()
    for product_id, images in _images_by_product(ids).items():
        photos = indexed_photos(images)
        signature = photos_signature(photos)
        if not photos or (not force and current.get(product_id) == signature):
            continue  # re-scraped with the same photos: the vectors stand
        try:
            read = [_read_photo(image) for image in photos]
        except UnreadablePhoto as exc:
            logger.error("product %s: cannot embed its photos: %s", product_id, exc)
            report.failed[product_id] = str(exc)
            continue
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
                    **{part: to_bytes(part, np.stack([getattr(r, part) for r in read])) for part in STORED_PARTS},
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


def _read_photo(image: ProductImage) -> GarmentFeatures:
    """A catalog photo's vector, colours and ImageNet class probabilities."""
    return read_product_photo(open_photo(image))


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
