"""The article-type classifier: the ImageNet MobileNetV2 fine-tuned on catalog photos, head first, then top blocks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

import numpy as np

from .catalog_photos import SIZE

STUDIO_GREY = 0.96  # the catalog's backdrop, for the pixels a shift uncovers


@dataclass(frozen=True)
class ArticleTraining:
    head_epochs: int = 1
    finetune_epochs: int = 8  # a ceiling: the epoch kept is the best on validation
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


@dataclass(frozen=True)
class ValidationSet:
    """Photos of product families kept out of training, to choose the epoch by; a product's photos are read together."""

    crops: np.ndarray
    products: list[int]  # the product each photo shows
    truth: dict[int, str]  # product -> its article type
    allowed: dict[int, tuple[str, ...]]  # product -> the types of its category


def product_accuracy(p: np.ndarray, classes: list[str], val: ValidationSet) -> float:
    """The share of products whose photos' mean P(type), among their category's types, names their type."""
    right = []
    for product, truth in val.truth.items():
        mean = p[[i for i, q in enumerate(val.products) if q == product]].mean(0)
        mask = np.array([c in val.allowed[product] for c in classes])
        right.append(classes[int(np.where(mask, mean, -1.0).argmax())] == truth)
    return float(np.mean(right))


def train_article_classifier(
    crops: np.ndarray,
    labels: list[str],
    cfg: ArticleTraining,
    progress: Callable[[Iterable, int, str], Iterable] = lambda it, total, desc: it,
    validation: ValidationSet | None = None,
):
    """(Keras model, classes, history): the head trained on a frozen backbone, then the top blocks with it.

    With a validation set, every fine-tuning epoch is scored on it and the weights of the best one
    are kept (the last, when there is none): the epochs are a ceiling, not a choice made on the test.
    """
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
    best = (-1.0, None, 0)  # validation accuracy, weights, epoch
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
            record = {
                "phase": phase,
                "epoch": epoch + 1,
                "loss": float(np.mean(losses)),
                "train_accuracy": float(accuracy),
            }
            if validation is not None and phase == "finetune":
                p = model.predict(validation.crops, batch_size=64, verbose=0)
                record["val_accuracy"] = product_accuracy(p, classes, validation)
                if record["val_accuracy"] >= best[0]:  # ties go to the later epoch: more training, same score
                    best = (record["val_accuracy"], model.get_weights(), epoch + 1)
            history.append(record)
    if best[1] is not None:
        model.set_weights(best[1])
        history.append({"phase": "kept", "epoch": best[2], "val_accuracy": best[0]})
    return model, classes, history
