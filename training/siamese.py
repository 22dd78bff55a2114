"""Triplet training of the embedder on (scene crop, catalog photo) pairs, batch by category."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from detection.boxes import square_crop


@dataclass(frozen=True)
class Pair:
    """A product seen in a scene: the scene, its box there (normalised l, t, r, b), the product and its photos."""

    scene: Path
    bbox: tuple[float, float, float, float]
    product: str
    partition: tuple[str, str]  # (gender, category); ("all", "all") when the source has none
    photos: tuple[Path, ...]  # the product's catalog photos: any one may be the positive


def read_catalog(lookbook: Path) -> dict[str, dict]:
    rows = (lookbook / "products" / "catalog.jsonl").read_text().splitlines()
    return {r["product"]: r for r in map(json.loads, rows)}


def lookbook_pairs(lookbook: Path, split: str) -> list[Pair]:
    catalog = read_catalog(lookbook)
    pairs = []
    for line in (lookbook / "pairs" / f"{split}.jsonl").read_text().splitlines():
        row = json.loads(line)
        product = catalog[row["product"]]
        photos = tuple(lookbook / "products" / row["product"] / f"{view}.jpg" for view in product["views"])
        partition = (product["gender"], product["category"])
        pairs.append(Pair(lookbook / row["scene"], tuple(row["bbox"]), row["product"], partition, photos))
    return pairs


def scene_crop(pair: Pair, size: int, rng: random.Random | None = None) -> np.ndarray:
    with Image.open(pair.scene) as image:
        w, h = image.size
        left, top, right, bottom = pair.bbox
        box = (left * w, top * h, right * w, bottom * h)
        if rng is not None:  # a detector's box is never exact
            bw, bh = box[2] - box[0], box[3] - box[1]
            box = tuple(v + rng.uniform(-0.06, 0.06) * s for v, s in zip(box, (bw, bh, bw, bh), strict=True))
            if rng.random() < 0.5:
                image, box = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT), (w - box[2], box[1], w - box[0], box[3])
        return square_crop(image, box, size)


def photo(path: Path, size: int) -> np.ndarray:
    """A whole catalog photo, padded to a square, as the gallery and the positives see it."""
    with Image.open(path) as image:
        return square_crop(image, None, size)


@dataclass(frozen=True)
class EmbedderTraining:
    size: int = 160
    dim: int = 128
    epochs: int = 3
    batch: int = 32  # different products of one category per batch
    margin: float = 0.2
    finetune_blocks: int = 6
    learning_rate: float = 3e-4  # decays to zero over the run along a cosine
    seed: int = 7


def category_batches(pairs: list[Pair], batch: int, rng: random.Random) -> list[list[Pair]]:
    """Batches of distinct products from one partition, so every negative is a plausible confusion."""
    by_partition: dict[tuple[str, str], list[Pair]] = {}
    for p in pairs:
        by_partition.setdefault(p.partition, []).append(p)
    batches = []
    for group in by_partition.values():
        rng.shuffle(group)
        current: list[Pair] = []
        seen: set[str] = set()
        for p in group:
            if p.product in seen:
                continue
            current.append(p)
            seen.add(p.product)
            if len(current) == batch:
                batches.append(current)
                current, seen = [], set()
        if len(current) >= 4:
            batches.append(current)
    rng.shuffle(batches)
    return batches


def _triplet_arrays(batch: list[Pair], cfg: EmbedderTraining, rng: random.Random) -> tuple[np.ndarray, np.ndarray]:
    anchors = np.stack([scene_crop(p, cfg.size, rng) for p in batch])
    # any catalog photo of the product may be the positive, as any may be the one it is found by
    positives = np.stack([photo(rng.choice(p.photos), cfg.size) for p in batch])
    return anchors, positives


def _prefetched(batches: list[list[Pair]], cfg: EmbedderTraining, seed: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Decode the next batch in a thread while the current one trains (TensorFlow frees the GIL)."""
    rng = random.Random(seed)  # the thread's own, so the order of draws does not depend on timing
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(_triplet_arrays, batches[0], cfg, rng) if batches else None
        for i in range(len(batches)):
            arrays = pending.result()
            pending = pool.submit(_triplet_arrays, batches[i + 1], cfg, rng) if i + 1 < len(batches) else None
            yield arrays


def train_embedder(
    pairs: list[Pair],
    cfg: EmbedderTraining,
    progress: Callable[[Iterable, int, str], Iterable] = lambda it, total, desc: it,
    init_weights: Path | None = None,
    validate: Callable[[Callable[[np.ndarray], np.ndarray]], float] | None = None,
):
    """Returns (keras embedder, history of {epoch, loss[, val_recall@1]}).

    `init_weights` continues an earlier run. With `validate` (an embed function -> Recall@1 on held-out
    products), each epoch is scored and the model returned is the best epoch's.
    """
    import keras
    import tensorflow as tf

    from .mobilenet_v2 import set_trainable_top_blocks
    from .triplet import build_embedder, semi_hard_triplet_loss

    keras.utils.set_random_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    model = build_embedder(cfg.size, cfg.dim)
    if init_weights is not None:
        model.load_weights(init_weights)
    backbone = next(layer for layer in model.layers if isinstance(layer, keras.Model))
    set_trainable_top_blocks(backbone, cfg.finetune_blocks)
    steps = cfg.epochs * len(category_batches(pairs, cfg.batch, random.Random(cfg.seed)))
    optimizer = keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(cfg.learning_rate, max(1, steps)))

    @tf.function
    def step(anchors, positives):
        with tf.GradientTape() as tape:
            loss = semi_hard_triplet_loss(model(anchors, training=True), model(positives, training=True), cfg.margin)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    def embed(x: np.ndarray) -> np.ndarray:
        return model.predict(x, batch_size=64, verbose=0)

    history = []
    best_recall, best_weights = -1.0, None
    for epoch in range(cfg.epochs):
        batches = category_batches(pairs, cfg.batch, rng)
        losses = []
        arrays = _prefetched(batches, cfg, rng.randrange(1 << 30))
        for anchors, positives in progress(arrays, len(batches), f"embedder epoch {epoch + 1}"):
            losses.append(float(step(tf.constant(anchors), tf.constant(positives))))
        history.append({"epoch": epoch + 1, "loss": float(np.mean(losses))})
        if validate is not None:
            recall = history[-1]["val_recall@1"] = float(validate(embed))
            if recall > best_recall:
                best_recall, best_weights = recall, model.get_weights()
    if best_weights is not None:
        model.set_weights(best_weights)
    return model, history
