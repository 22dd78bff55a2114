"""Training and scoring the compatibility model: gradients, fill in the blank, AUC, and a rule learnt from vectors."""

import random

import numpy as np
import pytest

from training.compatibility import CompatibilityTraining, batch_loss, namer_types, train
from training.compatibility_eval import auc, breakdown, fitb_questions, model_scorer, scored, similarity_scorer
from training.outfits import Garment, Outfit, Products

DIM = 16


def test_the_batch_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    q, p, w = rng.normal(size=(3, 6)), rng.normal(size=(3, 6)), rng.normal(size=6)
    queries, photos = rng.normal(size=(5, 6)), rng.normal(size=(5, 6))
    ids = np.array([0, 1, 2, 1, 3])  # rows 1 and 3 show the same product: not each other's negative
    same = ids[:, None] == ids
    _, dq, dp, dw = batch_loss(q, p, w, queries, photos, same)
    for param, grad in ((q, dq), (p, dp), (w, dw)):
        for idx in [(0, 0), (2, 5), (1, 3)] if param.ndim == 2 else [(0,), (4,)]:
            old = param[idx]
            param[idx] = old + 1e-6
            up = batch_loss(q, p, w, queries, photos, same)[0]
            param[idx] = old - 1e-6
            down = batch_loss(q, p, w, queries, photos, same)[0]
            param[idx] = old
            assert (up - down) / 2e-6 == pytest.approx(grad[idx], abs=1e-6)


def test_auc_counts_ties_as_half():
    assert auc(np.array([1.0, 2.0, 3.0]), np.array([0.0, 2.0, 5.0])) == pytest.approx(0.5)
    assert auc(np.array([3.0, 4.0]), np.array([1.0, 2.0])) == 1.0


N_CLASSES = 40


def _class_reading(rng, peak: int) -> np.ndarray:
    """A classifier's probabilities over N_CLASSES, peaked on `peak`."""
    logits = rng.normal(0, 1, N_CLASSES)
    logits[peak] += 5
    e = np.exp(logits)
    return (e / e.sum()).astype(np.float32)


def _toy_world(seed: int, in_classes: bool = False):
    """Products of eight styles, one per family in each split. A style is an angle: a top shows it
    in the plane of axes 0-1, a bottom in 2-3, shoes in 4-5, so garments that go together are not
    alike and similarity cannot tell them apart. Outfits wear one style throughout; half the
    families are held out. `in_classes`: the vectors are noise and only the ImageNet classes show
    the style (a top of style s peaks on class s, a bottom on 8 + s, shoes on 16 + s)."""
    rng = np.random.default_rng(seed)
    ids, vectors, owner, gender, category, family, split, style = [], [], [], [], [], [], [], {}
    classes = []
    for c_index, c in enumerate(("topwear", "bottomwear", "footwear")):
        for f in range(16):
            s = f % 8
            for v in range(2):
                pid = f"{c[:3]}{f}-{v}"
                base = rng.normal(0, 0.1, DIM)
                angle = 2 * np.pi * s / 8
                if not in_classes:
                    base[2 * c_index : 2 * c_index + 2] = 1.5 * np.cos(angle), 1.5 * np.sin(angle)
                for _ in range(2):  # two photos per product
                    photo = base + rng.normal(0, 0.05, DIM)
                    vectors.append(photo / np.linalg.norm(photo))
                    classes.append(_class_reading(rng, 8 * c_index + s))
                    owner.append(len(ids))
                ids.append(pid)
                gender.append("women")
                category.append(c)
                family.append(f"{c[:3]}{f}")
                split.append("train" if f < 8 else "test")
                style[pid] = (s, base)
    products = Products(
        ids,
        np.array(vectors, np.float32),
        np.array(owner),
        np.array(gender),
        np.array(category),
        np.array(family),
        np.array(split),
        classes=np.array(classes) if in_classes else None,
    )

    def outfits(which: str, n: int) -> list[Outfit]:
        r = random.Random(f"{seed}-{which}")
        pool = {
            (c, s): [p for p in ids if p.startswith(c[:3]) and style[p][0] == s and split[ids.index(p)] == which]
            for c in ("topwear", "bottomwear", "footwear")
            for s in range(8)
        }
        made = []
        for _ in range(n):
            s = r.randrange(8)
            garments = []
            for c in ("topwear", "bottomwear", "footwear"):
                pid = r.choice(pool[(c, s)])
                crop = style[pid][1] + rng.normal(0, 0.1, DIM)
                seen = _class_reading(rng, 8 * ("topwear", "bottomwear", "footwear").index(c) + style[pid][0])
                garments.append(
                    Garment(
                        c, pid, (crop / np.linalg.norm(crop)).astype(np.float32), classes=seen if in_classes else None
                    )
                )
            made.append(Outfit("women", tuple(garments), True))
        return made

    return products, outfits("train", 300), outfits("test", 80)


def test_fill_in_the_blank_offers_the_worn_product_and_three_others_of_its_kind():
    products, _, held_out = _toy_world(1)
    questions = fitb_questions(held_out, products, seed=0)
    assert len(questions) == 3 * len(held_out)
    for q in questions:
        true = q.candidates[0]
        assert products.ids[true] == q.outfit.garments[q.missing].product
        assert len(q.candidates) == 4
        assert len({products.family[i] for i in q.candidates}) == 4  # all of other families
        assert {products.category[i] for i in q.candidates} == {q.category}
        assert {products.split[i] for i in q.candidates} == {"test"}  # held-out products only


def test_the_model_learns_what_goes_together_where_similarity_cannot():
    # given: a rule the vectors carry only across categories, and held-out product families
    products, train_outfits, held_out = _toy_world(2)
    # when
    model, history, kept = train(
        train_outfits, held_out[:40], products, CompatibilityTraining(rank=4, epochs=16, batch=32, lr=0.01)
    )
    # then: it fills the blank on outfits it never saw; similarity is at chance
    questions = fitb_questions(held_out[40:], products, seed=3)
    ours = breakdown(scored(model_scorer(model), questions, products), questions)["all"]
    baseline = breakdown(scored(similarity_scorer, questions, products), questions)["all"]
    assert ours["fitb"] > 0.85 and ours["auc"] > 0.85
    assert ours["fitb"] > baseline["fitb"] + 0.3
    assert len(history) == 16 and 1 <= kept <= 16


def test_the_model_learns_a_rule_only_the_imagenet_classes_show():
    # given: vectors that are noise, and the style only in what the ImageNet classifier sees
    products, train_outfits, held_out = _toy_world(4, in_classes=True)
    cfg = CompatibilityTraining(rank=4, epochs=16, batch=32, lr=0.01, classes=24, worn_axes=24)
    # when
    model, _, _ = train(train_outfits, held_out[:40], products, cfg)
    blind, _, _ = train(train_outfits, held_out[:40], products, CompatibilityTraining(**{**cfg.recipe(), "classes": 0}))
    # then: reading the classes, it fills the blank on held-out families; by the vectors alone it is near chance
    questions = fitb_questions(held_out[40:], products, seed=3)
    ours = breakdown(scored(model_scorer(model), questions, products), questions)["all"]
    vectors_only = breakdown(scored(model_scorer(blind), questions, products), questions)["all"]
    assert model.class_size == 24 and blind.class_size == 0
    assert ours["fitb"] > 0.8 and ours["auc"] > 0.8
    assert vectors_only["fitb"] < 0.45


def test_the_namers_types_are_read_in_category_order_without_the_empty_ones():
    namer = {
        "footwear": {"boots": [514], "heels": []},
        "topwear": {"jacket": [834, 869], "shirt": []},
        "bottomwear": {"jeans": [608]},
    }
    assert [list(ids) for ids in namer_types(namer)] == [[834, 869], [608], [514]]
