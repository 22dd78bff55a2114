"""Outfits from a scraped catalog's model shots: each shot, boxed by the detector, is an outfit.

A model shot shows its product worn with other garments, chosen as a shop's stylist chose them.
The product is known (its catalog photos are in the index); the others are only pixels. So each
shot gives garments worn with the product: their crops are queries whose positive is the product,
and a fill-in-the-blank question asks for the product among others of its category. Products are
split by family (the id before a colour suffix, "DS00012-1" -> "DS00012"), so no family's shots
are in two splits.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
from PIL import Image
from tqdm import tqdm

from catalog.models import Product, ProductEmbedding
from detection.boxes import Box, square_crop
from detection.garment_colours import SIZE as COLOUR_SIZE
from detection.garment_colours import worn_colours
from detection.registry import verified_model
from embeddings.compatibility import CATEGORIES
from embeddings.feature_codec import CLASSES

from .outfits import ClassifyFn, Garment, Outfit, Products
from .retrieval_eval import EmbedFn
from .view_clusters import family_of

SPLIT_SHARES = (("train", 0.7), ("val", 0.1), ("test", 0.2))


def family_split(family: str, seed: int = 0) -> str:
    """The split of a family: by a hash, so it is the same on every run and machine."""
    u = int(hashlib.sha256(f"{seed}:{family}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    edge = 0.0
    for split, share in SPLIT_SHARES:
        edge += share
        if u < edge:
            return split
    return SPLIT_SHARES[-1][0]


def catalog_products(seed: int = 0) -> Products:
    """Every embedded product by the photo vectors the index holds (the current embedder's), their
    colours and their ImageNet classes."""
    rows = ProductEmbedding.objects.filter(model_sha256=verified_model("embedder").sha256).select_related("product")
    ids, photos, colours, classes, owner, gender, category, family = [], [], [], [], [], [], [], []
    for row in rows.order_by("product_id"):
        p = row.product
        vectors = row.vectors()
        read = row.photo_colours()
        ids.append(str(p.pk))
        photos.append(vectors)
        colours.append(read if read is not None else np.zeros((len(vectors), COLOUR_SIZE), np.float32))
        seen = row.photo_classes()
        classes.append(seen if seen is not None else np.zeros((len(vectors), CLASSES), np.float32))
        owner += [len(ids) - 1] * len(vectors)
        gender.append(p.gender)
        category.append(p.category)
        family.append(f"{p.source}:{family_of(p.external_id)}")
    dim = photos[0].shape[1] if photos else 0
    return Products(
        ids,
        np.concatenate(photos) if photos else np.zeros((0, dim), np.float32),
        np.array(owner, int),
        np.array(gender),
        np.array(category),
        np.array(family),
        np.array([family_split(f, seed) for f in family]),
        np.concatenate(colours) if colours else np.zeros((0, COLOUR_SIZE), np.float32),
        np.concatenate(classes) if classes else np.zeros((0, CLASSES), np.float32),
    )


def shot_garments(boxes: list[Box]) -> dict[str, Box]:
    """The most confident box of each garment category (a model shot shows one person)."""
    best: dict[str, Box] = {}
    for b in boxes:
        if b.label in CATEGORIES and (b.label not in best or b.score > best[b.label].score):
            best[b.label] = b
    return best


def catalog_outfits(
    embed: EmbedFn, classify: ClassifyFn, size: int, detect, products: Products
) -> dict[str, list[Outfit]]:
    """Outfits by split, one per model shot whose product is embedded and where the detector finds
    the product's own category and at least one other. `detect(image)` gives the garment boxes."""
    index = products.index()
    shots = Product.objects.filter(images__view="model").distinct().prefetch_related("images").order_by("pk")
    outfits: dict[str, list[Outfit]] = {split: [] for split, _ in SPLIT_SHARES}
    for product in tqdm(list(shots), desc="model shots", unit="shot"):
        if str(product.pk) not in index:
            continue
        split = products.split[index[str(product.pk)]]
        for shot in (i for i in product.images.all() if i.view == "model"):
            with Image.open(Path(shot.image.path)) as image:
                rgb = image.convert("RGB")
            found = shot_garments(detect(rgb))
            if product.category not in found or len(found) < 2:
                continue
            categories = list(found)
            crops = embed(np.stack([square_crop(rgb, found[c].as_tuple(), size) for c in categories]))
            w, h = rgb.size
            garments = tuple(
                Garment(
                    c,
                    str(product.pk) if c == product.category else None,
                    vector,
                    (found[c].x1 / w, found[c].y1 / h, found[c].x2 / w, found[c].y2 / h),
                    worn_colours(rgb, found[c].as_tuple(), c),
                    classify(rgb, found[c].as_tuple(), [b.as_tuple() for k, b in found.items() if k != c]),
                )
                for c, vector in zip(categories, crops, strict=True)
            )
            outfits[split].append(Outfit(product.gender, garments, None, str(shot.image.path)))
    return outfits
