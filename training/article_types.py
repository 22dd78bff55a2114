"""The article-type classifier: the ImageNet MobileNetV2 fine-tuned on catalog photos, head first, then top blocks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

import numpy as np

from .catalog_photos import SIZE

STUDIO_GREY = 0.96  # the catalog's backdrop, for the pixels a shift uncovers


@dataclass(frozen=True)
class ArticleTraining:
    head_epochs: int = 2
    finetune_epochs: int = 8
    finetune_blocks: int = 7
    head_lr: float = 1e-3
    finetune_lr: float = 1e-4
    batch: int = 32
    seed: int = 0

    def recipe(self) -> dict:
        return asdict(self)


def build_article_classifier(classes: list[str]):
    """(model, its backbone): SIZE crops in [0, 1] to P(article type)."""
    import keras

    from .mobilenet_v2 import build_mobilenet_v2, load_imagenet_weights

    backbone = load_imagenet_weights(build_mobilenet_v2(SIZE))
    inputs = keras.Input((SIZE, SIZE, 3), name="image")
    x = keras.layers.Dropout(0.2)(backbone(inputs))
    out = keras.layers.Dense(len(classes), activation="softmax", name="article_type")(x)
    return keras.Model(inputs, out, name="article_classifier"), backbone


def augment(batch: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Mirror half the photos and shift each by up to 8% on the studio grey: a shop crops its photos differently."""
    out = np.full_like(batch, STUDIO_GREY)
    limit = int(0.08 * SIZE)
    for i, photo in enumerate(batch):
        if rng.random() < 0.5:
            photo = photo[:, ::-1]
        dy, dx = rng.integers(-limit, limit + 1, size=2)
        ys, yd = (slice(dy, None), slice(None, SIZE - dy)) if dy >= 0 else (slice(None, dy), slice(-dy, None))
        xs, xd = (slice(dx, None), slice(None, SIZE - dx)) if dx >= 0 else (slice(None, dx), slice(-dx, None))
        out[i][yd, xd] = photo[ys, xs]
    return out


def train_article_classifier(
    crops: np.ndarray,
    labels: list[str],
    cfg: ArticleTraining,
    progress: Callable[[Iterable, int, str], Iterable] = lambda it, total, desc: it,
):
    """(Keras model, classes, history): the head trained on a frozen backbone, then the top blocks with it."""
    import keras
    import tensorflow as tf

    from .mobilenet_v2 import set_trainable_top_blocks

    keras.utils.set_random_seed(cfg.seed)
    tf.config.experimental.enable_op_determinism()
    classes = sorted(set(labels))
    y = np.array([classes.index(v) for v in labels])
    model, backbone = build_article_classifier(classes)
    rng = np.random.default_rng(cfg.seed)
    steps = (len(y) + cfg.batch - 1) // cfg.batch
    history = []
    # A random head on a trainable backbone wrecks the ImageNet features at once: the head goes first.
    for phase, epochs, lr, blocks in (
        ("head", cfg.head_epochs, cfg.head_lr, 0),
        ("finetune", cfg.finetune_epochs, cfg.finetune_lr, cfg.finetune_blocks),
    ):
        if epochs == 0:
            continue
        set_trainable_top_blocks(backbone, blocks)
        schedule = keras.optimizers.schedules.CosineDecay(lr, decay_steps=max(1, epochs * steps))
        model.compile(keras.optimizers.Adam(schedule), "sparse_categorical_crossentropy", metrics=["accuracy"])
        for epoch in range(epochs):
            order = rng.permutation(len(y))
            losses, accuracy = [], 0.0
            for start in progress(range(0, len(y), cfg.batch), steps, f"articles {phase} {epoch + 1}"):
                ids = order[start : start + cfg.batch]
                loss, accuracy = model.train_on_batch(augment(crops[ids], rng), y[ids])
                losses.append(float(loss))
            history.append(
                {"phase": phase, "epoch": epoch + 1, "loss": float(np.mean(losses)), "train_accuracy": float(accuracy)}
            )
    return model, classes, history
