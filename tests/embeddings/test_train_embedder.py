"""A tiny triplet-training run of the embedder and a retrieval evaluation, to keep that code honest."""

import random

import numpy as np
import pytest

pytest.importorskip("tensorflow", reason="training extras are installed by make test")

from embeddings.evaluation import evaluate_retrieval
from embeddings.training.siamese import (
    EmbedderTraining,
    category_batches,
    lookbook_pairs,
    train_embedder,
)
from scraper.demo_store.lookbook import LookbookConfig, build_lookbook


@pytest.fixture(scope="module")
def lookbook(tmp_path_factory):
    out = tmp_path_factory.mktemp("lookbook")
    build_lookbook(out, LookbookConfig({"train": 16, "val": 2, "test": 4}, n_products=60, width=240, height=320))
    return out


def test_batches_hold_distinct_products_of_one_partition(lookbook):
    pairs = lookbook_pairs(lookbook, "train")
    for batch in category_batches(pairs, 8, random.Random(0)):
        assert len({p.product for p in batch}) == len(batch) >= 4
        assert len({p.partition for p in batch}) == 1


@pytest.mark.slow
def test_one_epoch_of_triplet_training_gives_a_usable_embedder(lookbook, tmp_path):
    cfg = EmbedderTraining(size=64, dim=16, epochs=1, batch=4, finetune_blocks=1)
    model, history = train_embedder(lookbook_pairs(lookbook, "train"), lookbook, cfg)

    assert len(history) == 1 and np.isfinite(history[0]["loss"])
    metrics = evaluate_retrieval(lambda x: model(x, training=False).numpy(), lookbook, "test", 64)
    assert metrics["queries"] > 0 and metrics["gallery"] == 60
    assert 0.0 <= metrics["recall@1"] <= metrics["recall@10"] <= 1.0

    # exported as float16 TFLite, the run-time embedder gives what Keras gives
    from embeddings.ml.embedder import Embedder
    from embeddings.training.tflite import export_tflite

    path = export_tflite(model, tmp_path / "embedder_fp16.tflite", float16=True)
    x = np.random.default_rng(1).random((2, 64, 64, 3), dtype=np.float32)
    ours = Embedder(path).embed_batch(x)
    assert np.linalg.norm(ours, axis=1) == pytest.approx([1.0, 1.0], abs=1e-3)
    assert (ours * model(x, training=False).numpy()).sum(axis=1) == pytest.approx([1.0, 1.0], abs=2e-3)
