"""Train and evaluate the compatibility model (embeddings.compatibility) on outfits (training.outfits).

Training pairs are two garments worn together: one's crop is the query, the other's product, by
one of its catalog photos at random, the positive. Each is read as its features: the embedder's
vector, its colours, its ImageNet classes (training.outfits) and their article types' shares;
the classes' principal axes are fit on the training garments and photos alone. A batch holds one
ordered category pair of one gender, so every candidate shares the positive's category and
gender: the model learns what goes with the query within a category, never that shoes are not
trousers. The negatives are the batch's other positives, and `random_negatives` training
products of the category drawn at random. The two teach different things: the other positives
were chosen by the stylist too, so they teach which of several good garments goes with this one;
random products teach what a stylist rarely chooses at all, as a fill-in-the-blank question's
wrong answers are (validation FITB 0.516 without them, 0.58 with 512; 0.60 with 1,024 on twice
the outfits). Loss: softmax cross-entropy over the candidates, Adam, weight decay; the epoch
kept is the best on validation fill-in-the-blank accuracy. Written in NumPy: the model is two
small matrices per category pair and a vector per category.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from embeddings.compatibility import CATEGORIES, ClassAxes, CompatibilityModel, pair_key

from .compatibility_eval import fitb_accuracy, fitb_questions
from .outfits import Outfit, Products

PAIRS = tuple(pair_key(a, b) for a in CATEGORIES for b in CATEGORIES if a != b)


@dataclass(frozen=True)
class CompatibilityTraining:
    # Chosen on the validation split of a 2,000-product stylist lookbook of 12,000 training scenes.
    rank: int = 32  # the projected space of each category pair
    epochs: int = 20
    batch: int = 64
    lr: float = 1e-2
    weight_decay: float = 1e-3
    seed: int = 0
    colours: bool = True  # read each garment's colours beside its vector
    classes: int = 64  # and its ImageNet classes on this many principal axes (0: not at all)
    worn_axes: int = 0  # of them, how many a worn garment is read by (the coarse kind of garment)
    types: bool = True  # and the garment namer's article types' shares of the classes (worn side too)
    random_negatives: int = 1024  # per batch, products of the target's category drawn at random as negatives too

    def recipe(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Example:
    pair: str  # "topwear->footwear"
    gender: str
    query: np.ndarray  # the worn garment's features
    product: int  # index into Products: the garment worn with it


def namer_types(types_by_category: dict[str, dict[str, list[int]]]) -> list[np.ndarray]:
    """The garment namer's article types (its manifest's `types_by_category`) as each type's ImageNet
    class ids, in category order; types no class maps to are left out."""
    return [np.asarray(ids, int) for c in CATEGORIES for ids in types_by_category.get(c, {}).values() if ids]


def reader(
    train_outfits: list[Outfit], products: Products, cfg: CompatibilityTraining, types: list[np.ndarray] = ()
) -> CompatibilityModel:
    """A model with no weights yet, to read garments' features by: which blocks, and the ImageNet
    classes' axes, fit on the training split's garments and catalog photos; `types` are the garment
    namer's (`namer_types`), read when `cfg.types`."""
    axes = None
    if cfg.classes and products.classes is not None:
        index = products.index()
        seen = {products.split[index[g.product]] for o in train_outfits for g in o.garments if g.product in index}
        photos = products.classes[np.isin(products.split[products.owner], list(seen))]
        worn = [g.classes for o in train_outfits for g in o.garments if g.classes is not None]
        axes = ClassAxes.fit(np.concatenate([photos, np.stack(worn)]) if worn else photos, cfg.classes)
    colour_size = products.colours.shape[1] if cfg.colours and products.colours is not None else 0
    read_types = types if cfg.types and products.classes is not None else ()
    return CompatibilityModel({}, {}, {}, colour_size, axes, cfg.worn_axes, read_types)


def examples(outfits: list[Outfit], products: Products, read: CompatibilityModel) -> list[Example]:
    """Every ordered pair of garments of different categories worn together (the target's product
    known), the query by its features as `read` reads them."""
    index = products.index()
    rows = []
    for outfit in outfits:
        for a in outfit.garments:
            for b in outfit.garments:
                if a is b or a.category == b.category or a.crop is None or b.product not in index:
                    continue
                rows.append(
                    Example(
                        pair_key(a.category, b.category),
                        outfit.gender,
                        read.worn(a.crop, a.colours, a.classes),
                        index[b.product],
                    )
                )
    return rows


class _Adam:
    def __init__(self, params: dict[str, np.ndarray], lr: float, weight_decay: float):
        self.params, self.lr, self.wd, self.t = params, lr, weight_decay, 0
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}

    def step(self, grads: dict[str, np.ndarray], lr: float) -> None:
        self.t += 1
        for k, g in grads.items():
            g = g + self.wd * self.params[k]
            self.m[k] = 0.9 * self.m[k] + 0.1 * g
            self.v[k] = 0.999 * self.v[k] + 0.001 * g * g
            m_hat, v_hat = self.m[k] / (1 - 0.9**self.t), self.v[k] / (1 - 0.999**self.t)
            self.params[k] -= lr * m_hat / (np.sqrt(v_hat) + 1e-8)


def batch_loss(
    q: np.ndarray, p: np.ndarray, w: np.ndarray, queries: np.ndarray, photos: np.ndarray, same: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """(loss, dQ, dP, dw) of one batch: row i's positive is photo i, the other photos (the batch's
    other positives, then any extra negatives) its negatives but where `same[i, j]` (the same
    product: not a negative)."""
    n, m = len(queries), len(photos)
    x, y = queries @ q.T, photos @ p.T  # B x rank, (B + extra) x rank
    logits = x @ y.T + (photos @ w)[None, :]
    logits = np.where(same & ~np.eye(n, m, dtype=bool), -np.inf, logits)
    logits -= logits.max(axis=1, keepdims=True)
    soft = np.exp(logits)
    soft /= soft.sum(axis=1, keepdims=True)
    loss = -float(np.mean(np.log(np.clip(np.diag(soft), 1e-12, None))))
    g = (soft - np.eye(n, m)) / n
    dx, dy = g @ y, g.T @ x
    return loss, dx.T @ queries, dy.T @ photos, photos.T @ g.sum(axis=0)


def _batches(rows: list[Example], size: int, rng: random.Random) -> list[list[Example]]:
    groups: dict[tuple[str, str], list[Example]] = {}
    for r in rows:
        groups.setdefault((r.pair, r.gender), []).append(r)
    batches = []
    for group in groups.values():
        rng.shuffle(group)
        batches += [group[i : i + size] for i in range(0, len(group), size) if len(group[i : i + size]) > 1]
    rng.shuffle(batches)
    return batches


def train(
    train_outfits: list[Outfit],
    val_outfits: list[Outfit],
    products: Products,
    cfg: CompatibilityTraining,
    on_epoch: Callable[[dict], None] = lambda row: None,
    types: list[np.ndarray] = (),
) -> tuple[CompatibilityModel, list[dict], int]:
    """(the model of the best validation epoch, per-epoch history, that epoch); `types` as `reader` takes them."""
    rng, np_rng = random.Random(cfg.seed), np.random.default_rng(cfg.seed)
    read = reader(train_outfits, products, cfg, types)
    candidates = read.features(products.photos, products.colours, products.classes)
    dim = candidates.shape[1]
    params: dict[str, np.ndarray] = {}
    for key in PAIRS:
        params[f"Q:{key}"] = np_rng.normal(0, 1 / np.sqrt(dim), (cfg.rank, dim)).astype(np.float32)
        params[f"P:{key}"] = np_rng.normal(0, 1 / np.sqrt(dim), (cfg.rank, dim)).astype(np.float32)
    for c in CATEGORIES:
        params[f"w:{c}"] = np.zeros(dim, np.float32)
    adam = _Adam(params, cfg.lr, cfg.weight_decay)
    rows = examples(train_outfits, products, read)
    # Random negatives come from the products training outfits wear (their split: no held-out product).
    seen = np.isin(products.split[products.owner], list({products.split[r.product] for r in rows}))
    pools = {
        (g, c): np.flatnonzero(seen & (products.gender[products.owner] == g) & (products.category[products.owner] == c))
        for g in set(products.gender)
        for c in CATEGORIES
    }
    questions = fitb_questions(val_outfits, products, seed=cfg.seed)
    history, best = [], (-1.0, 0, None)
    total_steps = cfg.epochs * max(1, len(_batches(rows, cfg.batch, random.Random(0))))
    step = 0
    for epoch in range(1, cfg.epochs + 1):
        losses = []
        for batch in _batches(rows, cfg.batch, rng):
            target = batch[0].pair.split("->")[1]
            qk, pk, wk = f"Q:{batch[0].pair}", f"P:{batch[0].pair}", f"w:{target}"
            queries = np.stack([r.query for r in batch])
            photos = candidates[[rng.choice(list(products.photo_rows[r.product])) for r in batch]]
            ids = np.array([r.product for r in batch])
            pool = pools.get((batch[0].gender, target), np.zeros(0, int))
            if cfg.random_negatives and len(pool):
                extra = np.array([pool[rng.randrange(len(pool))] for _ in range(cfg.random_negatives)])
                photos = np.concatenate([photos, candidates[extra]])
                ids = np.concatenate([ids, products.owner[extra]])
            same = ids[: len(batch), None] == ids
            loss, dq, dp, dw = batch_loss(params[qk], params[pk], params[wk], queries, photos, same)
            lr = cfg.lr * 0.5 * (1 + np.cos(np.pi * step / total_steps))  # cosine decay to 0
            adam.step({qk: dq, pk: dp, wk: dw}, lr)
            losses.append(loss)
            step += 1
        model = _model(params, read)
        val = fitb_accuracy(model, questions, products)
        row = {"epoch": epoch, "loss": float(np.mean(losses)), "val_fitb": val}
        history.append(row)
        on_epoch(row)
        if val > best[0]:
            best = (val, epoch, {k: v.copy() for k, v in params.items()})
    return _model(best[2], read), history, best[1]


def _model(params: dict[str, np.ndarray], read: CompatibilityModel) -> CompatibilityModel:
    pick = lambda prefix: {k[2:]: v.copy() for k, v in params.items() if k.startswith(prefix)}  # noqa: E731
    return CompatibilityModel(
        pick("Q:"), pick("P:"), pick("w:"), read.colour_size, read.classes, read.worn_axes, read.types
    )
