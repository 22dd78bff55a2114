"""Train the compatibility model's second stage (embeddings.compatibility.PairRanker) with TensorFlow.

The same data and loss as the first stage (training.compatibility): a worn garment's crop is the
query, the product worn with it the positive, the batch's other products of its category and
gender the negatives, softmax cross-entropy. Every query is scored against every candidate of
the batch (B x B pairs through the network), so each batch teaches B comparisons at once. The
epoch kept is the best on validation fill-in-the-blank; the weights leave as NumPy arrays.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from embeddings.compatibility import RANKER_ARRAYS, CompatibilityModel, PairRanker

from .compatibility import PAIRS, _batches, examples, fitb_accuracy, fitb_questions
from .outfits import Outfit, Products


@dataclass(frozen=True)
class RankerTraining:
    rank: int = 32  # each garment's projection
    hidden: int = 64
    epochs: int = 20
    batch: int = 64
    lr: float = 1e-3
    weight_decay: float = 1e-4
    dropout: float = 0.1  # on the pair features, in training only
    seed: int = 0

    def recipe(self) -> dict:
        return asdict(self)


def _pair_scores(tf, w: dict, queries, photos, dropout: float, training: bool):
    """B x B scores: every query against every photo of the batch."""
    u = tf.matmul(queries, w["Q"], transpose_b=True)  # B x k
    v = tf.matmul(photos, w["P"], transpose_b=True)
    uu, vv = u[:, None, :], v[None, :, :]
    n = tf.shape(u)[0]
    z = tf.concat(
        [uu * vv, tf.abs(uu - vv), tf.broadcast_to(uu, [n, n, u.shape[1]]), tf.broadcast_to(vv, [n, n, v.shape[1]])],
        axis=2,
    )
    if training and dropout:
        z = tf.nn.dropout(z, dropout)
    h = tf.nn.relu(tf.tensordot(z, w["W1"], [[2], [1]]) + w["c1"])
    return tf.tensordot(h, w["w2"], [[2], [0]]) + w["b2"][0]


def train_ranker(
    first_stage: CompatibilityModel,
    train_outfits: list[Outfit],
    val_outfits: list[Outfit],
    products: Products,
    cfg: RankerTraining,
    on_epoch: Callable[[dict], None] = lambda row: None,
) -> tuple[CompatibilityModel, list[dict], int]:
    """(the first stage with the rankers of the best validation epoch, per-epoch history, that epoch)."""
    import tensorflow as tf

    tf.random.set_seed(cfg.seed)
    rng, np_rng = random.Random(cfg.seed), np.random.default_rng(cfg.seed)
    dim, k, hidden = products.photos.shape[1], cfg.rank, cfg.hidden
    weights: dict[str, dict] = {}
    for key in PAIRS:
        init = {
            "Q": np_rng.normal(0, 1 / np.sqrt(dim), (k, dim)),
            "P": np_rng.normal(0, 1 / np.sqrt(dim), (k, dim)),
            "W1": np_rng.normal(0, np.sqrt(2 / (4 * k)), (hidden, 4 * k)),
            "c1": np.zeros(hidden),
            "w2": np_rng.normal(0, np.sqrt(1 / hidden), hidden),
            "b2": np.zeros(1),
        }
        weights[key] = {name: tf.Variable(value.astype(np.float32)) for name, value in init.items()}
    rows = examples(train_outfits, products)
    photos_of = [np.flatnonzero(products.owner == i) for i in range(len(products.ids))]
    questions = fitb_questions(val_outfits, products, seed=cfg.seed)
    steps = cfg.epochs * max(1, len(_batches(rows, cfg.batch, random.Random(0))))
    schedule = tf.keras.optimizers.schedules.CosineDecay(cfg.lr, steps)
    optimizer = tf.keras.optimizers.AdamW(schedule, weight_decay=cfg.weight_decay)
    optimizer.build([v for w in weights.values() for v in w.values()])  # one optimizer for every pair's network

    def step(key: str, queries: np.ndarray, photos: np.ndarray, same: np.ndarray) -> float:
        variables = list(weights[key].values())
        with tf.GradientTape() as tape:
            logits = _pair_scores(tf, weights[key], queries, photos, cfg.dropout, training=True)
            logits = tf.where(same & ~np.eye(len(same), dtype=bool), -1e9, logits)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(np.arange(len(same)), logits))
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables, strict=True))
        return float(loss)

    history, best = [], (-1.0, 0, None)
    for epoch in range(1, cfg.epochs + 1):
        losses = []
        for batch in _batches(rows, cfg.batch, rng):
            queries = np.stack([r.query for r in batch]).astype(np.float32)
            photos = products.photos[[rng.choice(list(photos_of[r.product])) for r in batch]].astype(np.float32)
            ids = np.array([r.product for r in batch])
            losses.append(step(batch[0].pair, queries, photos, ids[:, None] == ids))
        model = _with_rankers(first_stage, weights)
        val = fitb_accuracy(model, questions, products)
        row = {"epoch": epoch, "loss": float(np.mean(losses)), "val_fitb": val}
        history.append(row)
        on_epoch(row)
        if val > best[0]:
            best = (val, epoch, model)
    return best[2], history, best[1]


def _with_rankers(first_stage: CompatibilityModel, weights: dict[str, dict]) -> CompatibilityModel:
    rankers = {
        key: PairRanker({name: np.array(w[name].numpy(), np.float32) for name in RANKER_ARRAYS})
        for key, w in weights.items()
    }
    return CompatibilityModel(first_stage.q, first_stage.p, first_stage.w, rankers)
