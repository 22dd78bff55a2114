"""What the ingest worker reads off a product's photos: each photo's view, the thumbnail, and a missing article type."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction

from detection.models.article_types import article_classifier
from detection.models.product_views import view_classifier

from .models import Product, ProductImage
from .product_vectors import UnreadablePhoto, open_photo

logger = logging.getLogger(__name__)


def unclassified_product_ids() -> list[int]:
    """Products with a photo the current view classifier has not read (new or re-scraped photos, or
    photos read by a view classifier since replaced)."""
    unread = ProductImage.objects.filter(predicted_view="") | ProductImage.objects.exclude(
        view_model_sha256=view_classifier.entry.sha256
    )
    return sorted(set(unread.values_list("product_id", flat=True)))


def classify_views(product_ids: Iterable[int], force: bool = False) -> int:
    """Read the view of each product's photos and make the category's preferred view its thumbnail, and fill in
    the article type where the shop gave none; the number of products done. Products whose photos were all
    read already are skipped, unless `force`."""
    model, sha = view_classifier(), view_classifier.entry.sha256
    articles = article_classifier()
    done = 0
    for product in Product.objects.filter(pk__in=list(product_ids)).prefetch_related("images"):
        images = sorted(product.images.all(), key=lambda i: i.position)
        if not images or (not force and all(i.predicted_view and i.view_model_sha256 == sha for i in images)):
            continue
        try:
            photos = [open_photo(image) for image in images]
        except UnreadablePhoto as exc:  # a file gone missing must not stop the batch
            logger.error("product %s: cannot read its photos: %s", product.pk, exc)
            continue
        guesses = model.predict(photos)
        article = ""
        if not product.article_type or product.article_type_predicted:
            # A model shot shows the whole outfit: the type is read from the product's own photos.
            own = [photo for photo, g in zip(photos, guesses, strict=True) if g.view != "model"] or photos
            article = articles.predict(own, product.category).article_type
        _store(product, images, guesses, model.thumbnail(guesses, product.category), article, sha)
        done += 1
    return done


@transaction.atomic
def _store(product: Product, images: list[ProductImage], guesses, thumbnail: int, article: str, sha: str) -> None:
    # The product row lock is the one ingest takes: a re-scrape replacing these photos meanwhile
    # waits, or has already replaced them, and then these guesses are about photos gone.
    Product.objects.select_for_update().filter(pk=product.pk).first()
    current = list(ProductImage.objects.filter(product=product).order_by("position").values_list("pk", "sha256"))
    if current != [(i.pk, i.sha256) for i in images]:
        return
    for image, guess in zip(images, guesses, strict=True):
        ProductImage.objects.filter(pk=image.pk).update(
            predicted_view=guess.view, predicted_view_score=guess.score, view_model_sha256=sha
        )
    # Unset first: at most one thumbnail per product is a database constraint.
    ProductImage.objects.filter(product=product, is_thumbnail=True).exclude(pk=images[thumbnail].pk).update(
        is_thumbnail=False
    )
    ProductImage.objects.filter(pk=images[thumbnail].pk).update(is_thumbnail=True)
    if article:
        Product.objects.filter(pk=product.pk).update(article_type=article, article_type_predicted=True)
