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


def rows_by_product(rows: list[ProductImage]) -> dict[int, list[int]]:
    """The indexes of `rows` grouped by product, in order."""
    out: dict[int, list[int]] = {}
    for i, r in enumerate(rows):
        out.setdefault(r.product_id, []).append(i)
    return out


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


def grid_backbone(imagenet):
    """The ImageNet MobileNetV2's last feature map pooled over four overlapping quarters, at unit length.

    Global pooling keeps what a photo shows and drops where: a pair of shoes and one shoe, or a
    front lit from the left and a back lit from the right, pool alike. The 2x2 grid keeps the layout.
    """
    import keras

    fmap = imagenet.get_layer("features_18_relu").output  # 5 x 5 x 1280 for 160 px
    x = keras.layers.AveragePooling2D(pool_size=3, strides=2, name="grid_pool")(fmap)
    x = keras.layers.Flatten(name="grid_flat")(x)
    x = keras.layers.UnitNormalization(name="grid_unit")(x)
    return keras.Model(imagenet.input, x, name="imagenet_grid")


def grid_features(crops: np.ndarray, grid) -> np.ndarray:
    return grid.predict(crops, batch_size=64, verbose=0).astype(np.float64)


def view_model(grid, weights: np.ndarray, bias: np.ndarray):
    """Photos of one product in, P(view) per photo out: the grid features, centred on the product's
    mean and brought to unit length as the classifier was trained on them, then its softmax."""
    import keras

    @keras.saving.register_keras_serializable(package="shopthelook")
    class ProductCentring(keras.layers.Layer):
        """Each row less the batch mean: the batch is one product's photos."""

        def call(self, x):
            return x - keras.ops.mean(x, axis=0, keepdims=True)

    x = ProductCentring(name="product_centring")(grid.output)
    x = keras.layers.UnitNormalization(name="centred_unit")(x)
    head = keras.layers.Dense(len(bias), activation="softmax", name="views")
    out = head(x)
    head.set_weights([weights, bias])
    return keras.Model(grid.input, out, name="view_classifier")
