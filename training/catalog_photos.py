"""The catalog's photos as the view and article-type studies read them: 160 px crops and ImageNet features."""

from __future__ import annotations

import numpy as np
from PIL import Image

from catalog.models import ProductImage
from detection.boxes import square_crop

from .view_clusters import held_out

SIZE = 160  # the embedder's input; the ImageNet backbone reads the same crops


def training_photos(category: str) -> list[ProductImage]:
    """The category's catalog photos, but those of held-out product families (they score the classifiers)."""
    rows = ProductImage.objects.filter(product__category=category).select_related("product")
    return [r for r in rows.order_by("product_id", "position") if not held_out(r.product.external_id)]


def crop(row: ProductImage) -> np.ndarray:
    with row.image.open("rb") as fh, Image.open(fh) as photo:
        return square_crop(photo.convert("RGB"), None, SIZE)


def imagenet_backbone():
    """The ImageNet MobileNetV2 without its top, for SIZE crops (TensorFlow: training only)."""
    from .mobilenet_v2 import build_mobilenet_v2, load_imagenet_weights

    return load_imagenet_weights(build_mobilenet_v2(SIZE))


def features(crops: np.ndarray, imagenet) -> np.ndarray:
    """Unit-length ImageNet MobileNetV2 features (global average pooled) of SIZE crops."""
    f = imagenet.predict(crops, batch_size=64, verbose=0)
    return f / np.linalg.norm(f, axis=1, keepdims=True)
