"""Train the gender classifier: ImageNet MobileNetV2 (frozen, then partly fine-tuned) and a sigmoid head.

Data sources: the lookbook's person boxes, a folder of labelled photos (men/, women/), or any list
of (image, box, label) the caller builds, such as the scraped catalog's model shots.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from detection.boxes import fit_crop

LABELS = {"men": 0.0, "women": 1.0}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


@dataclass(frozen=True)
class Example:
    path: Path
    box: tuple[float, float, float, float] | None
    label: str


def lookbook_examples(lookbook: Path, split: str) -> list[Example]:
    examples = []
    for line in (lookbook / "scenes" / f"{split}.jsonl").read_text().splitlines():
        row = json.loads(line)
        person = next((b for b in row["boxes"] if b["label"] == "person"), None)
        box = (person["x1"], person["y1"], person["x2"], person["y2"]) if person else None
        examples.append(Example(lookbook / row["scene"], box, row["gender"]))
    return examples


def folder_examples(root: Path) -> list[Example]:
    """Photos under root/men/ and root/women/, whole-image (the person fills the photo)."""
    examples = []
    for label in LABELS:
        folder = root / label
        if not folder.is_dir():
            raise FileNotFoundError(f"{folder} is missing: a labelled folder needs men/ and women/")
        examples += [Example(p, None, label) for p in sorted(folder.iterdir()) if p.suffix.lower() in IMAGE_SUFFIXES]
    return examples


def load_batch(examples: list[Example], shape: tuple[int, int], augment: random.Random | None = None) -> np.ndarray:
    """Crops of shape (height, width), augmented when asked."""
    size, width = shape
    out = np.empty((len(examples), size, width, 3), np.float32)
    for i, ex in enumerate(examples):
        with Image.open(ex.path) as image:
            image = image.convert("RGB")
            box = ex.box
            if augment is not None:
                if augment.random() < 0.5:
                    image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
                    if box is not None:
                        box = (image.width - box[2], box[1], image.width - box[0], box[3])
                if box is not None:  # jitter the box as a detector's box would be
                    w, h = box[2] - box[0], box[3] - box[1]
                    box = tuple(v + augment.uniform(-0.05, 0.05) * s for v, s in zip(box, (w, h, w, h), strict=True))
            crop = fit_crop(image, box, size, width)
            if augment is not None:
                crop = recolour(crop, augment)
            out[i] = crop
    return out


def hue_rotation(degrees: float) -> np.ndarray:
    """The 3x3 matrix that turns RGB colours about the grey axis, keeping greys (and so brightness) put."""
    a = np.radians(degrees)
    axis = np.full(3, 1 / np.sqrt(3), np.float32)
    cross = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]], np.float32)
    return (np.cos(a) * np.eye(3) + np.sin(a) * cross + (1 - np.cos(a)) * np.outer(axis, axis)).astype(np.float32)


def recolour(crop: np.ndarray, rng: random.Random) -> np.ndarray:
    """Random hue, grey, white balance and exposure.

    Garment colours say nothing about gender, but with a few hundred training products the
    network memorises each product's colours and their wearer's gender; unseen products then get
    confident wrong answers. Turning the hues (and sometimes dropping colour) leaves only the cues
    that carry over: hair, beard, body shape and the cut of the clothes.
    """
    if rng.random() < 0.7:
        crop = crop @ hue_rotation(rng.uniform(-180, 180)).T
    if rng.random() < 0.15:
        crop = np.repeat(crop.mean(axis=-1, keepdims=True), 3, axis=-1)
    gain = np.array([rng.uniform(0.8, 1.2) for _ in range(3)], np.float32)
    return np.clip(crop * gain * rng.uniform(0.75, 1.25), 0.0, 1.0)


@dataclass(frozen=True)
class GenderTraining:
    size: int = 160  # input height
    width: int | None = None  # input width; None for a square
    head_epochs: int = 8
    finetune_epochs: int = 2
    finetune_blocks: int = 3  # of the 17 inverted-residual blocks, counted from the top
    batch: int = 32
    label_smoothing: float = 0.05  # about the share of figures whose cues point the other way
    seed: int = 7

    @property
    def shape(self) -> tuple[int, int]:
        """The input's (height, width)."""
        return self.size, self.width or self.size


def build_classifier(shape: tuple[int, int]):
    import keras

    from training.mobilenet_v2 import build_mobilenet_v2, load_imagenet_weights

    backbone = load_imagenet_weights(build_mobilenet_v2(shape))
    inputs = keras.Input((*shape, 3), name="image")
    x = backbone(inputs)
    x = keras.layers.Dropout(0.2)(x)
    out = keras.layers.Dense(1, activation="sigmoid", name="p_women")(x)
    return keras.Model(inputs, out, name="gender_classifier"), backbone


def _batches(examples: list[Example], cfg: GenderTraining, rng: random.Random, augment: bool):
    order = list(examples)
    rng.shuffle(order)
    for start in range(0, len(order), cfg.batch):
        chunk = order[start : start + cfg.batch]
        yield (
            load_batch(chunk, cfg.shape, rng if augment else None),
            np.array([LABELS[e.label] for e in chunk]),
        )


def train_gender(
    train: list[Example],
    val: list[Example],
    cfg: GenderTraining,
    progress: Callable[[Iterable, int, str], Iterable] = lambda it, total, desc: it,
):
    """Returns (keras model at its best validation epoch, history of {phase, epoch, loss, val_accuracy})."""
    import keras
    import tensorflow as tf

    from training.mobilenet_v2 import set_trainable_top_blocks

    keras.utils.set_random_seed(cfg.seed)
    tf.config.experimental.enable_op_determinism()  # the same seed gives the same weights
    rng = random.Random(cfg.seed)
    model, backbone = build_classifier(cfg.shape)
    history = []
    val_x = load_batch(val, cfg.shape)
    val_y = np.array([LABELS[e.label] for e in val])
    steps = (len(train) + cfg.batch - 1) // cfg.batch
    best_accuracy, best_weights = -1.0, None
    phases = [("head", cfg.head_epochs, 1e-3, 0), ("finetune", cfg.finetune_epochs, 1e-4, cfg.finetune_blocks)]
    for phase, epochs, lr, blocks in phases:
        if epochs == 0:
            continue
        set_trainable_top_blocks(backbone, blocks)
        # Cosine decay to zero: the last epochs settle instead of jumping between minima.
        schedule = keras.optimizers.schedules.CosineDecay(lr, decay_steps=max(1, epochs * steps))
        loss = keras.losses.BinaryCrossentropy(label_smoothing=cfg.label_smoothing)
        model.compile(optimizer=keras.optimizers.Adam(schedule), loss=loss, metrics=["accuracy"])
        for epoch in range(epochs):
            losses = []
            for x, y in progress(_batches(train, cfg, rng, augment=True), steps, f"gender {phase} {epoch + 1}"):
                losses.append(float(model.train_on_batch(x, y)[0]))
            p = model.predict(val_x, batch_size=64, verbose=0).ravel()
            acc = float(((p >= 0.5) == (val_y >= 0.5)).mean()) if len(val_y) else float("nan")
            history.append({"phase": phase, "epoch": epoch + 1, "loss": float(np.mean(losses)), "val_accuracy": acc})
            if acc > best_accuracy:  # fine-tuning overfits after a few epochs: keep the best seen
                best_accuracy, best_weights = acc, model.get_weights()
    if best_weights is not None:
        model.set_weights(best_weights)
    return model, history
