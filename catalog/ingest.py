"""Write one scraped product and its images into the catalog, all or nothing."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from .models import Product, ProductImage

logger = logging.getLogger(__name__)

# The view a shopper should see first, best first.
THUMBNAIL_PREFERENCE = ("front", "model", "side", "back", "detail", "other")


@dataclass(frozen=True)
class ImageBlob:
    """An image already downloaded and validated: JPEG bytes plus where they came from."""

    data: bytes
    source_url: str
    width: int
    height: int
    view: str = "other"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class ProductRecord:
    """Everything a scrape learned about one product."""

    source: str
    external_id: str
    url: str
    title: str
    gender: str
    category: str
    brand: str = ""
    price: Decimal | None = None
    currency: str = "INR"
    article_type: str = ""
    colour: str = ""
    in_stock: bool = True
    images: tuple[ImageBlob, ...] = field(default_factory=tuple)


def thumbnail_index(views: list[str]) -> int:
    ranks = [THUMBNAIL_PREFERENCE.index(v) if v in THUMBNAIL_PREFERENCE else 99 for v in views]
    return ranks.index(min(ranks))


def upsert_product(record: ProductRecord) -> tuple[Product, bool]:
    """Create or update the product keyed by (source, external_id); returns (product, created).

    The row, its image rows and its image files change together: if anything fails, the
    database rolls back and files written by this call are removed.
    """
    if not record.images:
        raise ValueError(f"{record.external_id}: a product needs at least one image")
    written: list[str] = []
    try:
        with transaction.atomic():
            product, created = _upsert_row(record)
            stale = _replace_images(product, record.images, written)
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    transaction.on_commit(lambda: _delete_unreferenced(stale))
    return product, created


def _upsert_row(record: ProductRecord) -> tuple[Product, bool]:
    fields = {
        "url": record.url,
        "title": record.title,
        "brand": record.brand,
        "price": record.price,
        "currency": record.currency,
        "gender": record.gender,
        "category": record.category,
        "article_type": record.article_type,
        "colour": record.colour,
        "in_stock": record.in_stock,
        "last_seen": timezone.now(),
    }
    product = Product.objects.select_for_update().filter(source=record.source, external_id=record.external_id).first()
    created = product is None
    if created:
        product = Product(source=record.source, external_id=record.external_id)
    if not record.article_type and product.article_type_predicted:
        fields["article_type"] = product.article_type  # the shop still names none: the classifier's reading stands
    else:
        fields["article_type_predicted"] = False
    for name, value in fields.items():
        setattr(product, name, value)
    product.full_clean(validate_unique=False)  # before any write: a bad record changes nothing
    product.save()
    return product, created


def _replace_images(product: Product, blobs: tuple[ImageBlob, ...], written: list[str]) -> list[str]:
    """Make the product's images exactly `blobs`; returns file names that may now be unused."""
    old = list(product.images.all())
    wanted = [(b.sha256, b.view, b.source_url) for b in blobs]
    if [(i.sha256, i.view, i.source_url) for i in old] == wanted:
        return []
    stale = [img.image.name for img in old]
    product.images.all().delete()
    thumb = thumbnail_index([b.view for b in blobs])
    for position, blob in enumerate(blobs):
        row = ProductImage(
            product=product,
            position=position,
            view=blob.view,
            sha256=blob.sha256,
            source_url=blob.source_url,
            is_thumbnail=position == thumb,
            width=blob.width,
            height=blob.height,
        )
        name = product_image_name(row)
        if default_storage.exists(name):
            row.image.name = name
        else:
            row.image.save(name, ContentFile(blob.data), save=False)
            written.append(row.image.name)
        row.save()
    current = set(product.images.values_list("image", flat=True))
    return [name for name in stale if name not in current]


def product_image_name(row: ProductImage) -> str:
    return row.image.field.generate_filename(row, "image.jpg")


def _delete_unreferenced(names: list[str]) -> None:
    for name in names:
        if not ProductImage.objects.filter(image=name).exists():
            default_storage.delete(name)
