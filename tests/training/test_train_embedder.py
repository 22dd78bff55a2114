"""A tiny triplet-training run of the embedder and a retrieval evaluation, to keep that code honest."""

import io
import json
import random

import numpy as np
import pytest

pytest.importorskip("tensorflow", reason="training extras are installed by make test")

from django.core.management import call_command

from synthetic.lookbook import LookbookConfig, build_lookbook
from training.pair_sources import ModelShot, model_shot_pairs, read_records, split_by_product, stl_pairs
from training.retrieval_eval import evaluate_retrieval
from training.siamese import (
    EmbedderTraining,
    category_batches,
    lookbook_pairs,
    train_embedder,
)


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
    model, history = train_embedder(lookbook_pairs(lookbook, "train"), cfg)

    assert len(history) == 1 and np.isfinite(history[0]["loss"])
    metrics = evaluate_retrieval(lambda x: model(x, training=False).numpy(), lookbook, "test", 64)
    assert metrics["queries"] > 0 and metrics["gallery"] == 60
    assert 0.0 <= metrics["recall@1"] <= metrics["recall@10"] <= 1.0

    # exported as float16 TFLite, the run-time embedder gives what Keras gives
    from detection.models.embedder import Embedder
    from training.keras_export import export_tflite

    path = export_tflite(model, tmp_path / "embedder_fp16.tflite", float16=True)
    x = np.random.default_rng(1).random((2, 64, 64, 3), dtype=np.float32)
    ours = Embedder(path).embed_batch(x)
    assert np.linalg.norm(ours, axis=1) == pytest.approx([1.0, 1.0], abs=1e-3)
    assert (ours * model(x, training=False).numpy()).sum(axis=1) == pytest.approx([1.0, 1.0], abs=2e-3)


@pytest.mark.slow
def test_validation_keeps_the_best_epochs_weights(lookbook):
    probe = np.random.default_rng(2).random((2, 64, 64, 3), dtype=np.float32)
    seen, scores = [], iter([0.2, 0.6, 0.4])

    def validate(embed):
        seen.append(embed(probe))
        return next(scores)

    cfg = EmbedderTraining(size=64, dim=16, epochs=3, batch=4, finetune_blocks=1, learning_rate=1e-2)
    model, history = train_embedder(lookbook_pairs(lookbook, "train"), cfg, validate=validate)

    assert [h["val_recall@1"] for h in history] == [0.2, 0.6, 0.4]
    assert not np.allclose(seen[1], seen[2], atol=1e-4)  # the weights did move after epoch 2
    assert model.predict(probe, verbose=0) == pytest.approx(seen[1], abs=1e-5)  # and epoch 2's came back


def stl_folder(lookbook, out):
    """The tiny lookbook rewritten as Shop The Look records: ids for file names, one folder of images."""
    import shutil

    images = out / "images"
    images.mkdir()
    records = []
    for i, pair in enumerate(lookbook_pairs(lookbook, "train") + lookbook_pairs(lookbook, "test")):
        scene_id = f"scene{pair.scene.stem}"
        shutil.copy(pair.scene, images / f"{scene_id}.jpg")
        shutil.copy(pair.photos[0], images / f"prod{pair.product}.jpg")
        records.append({"scene": scene_id, "product": f"prod{pair.product}", "bbox": list(pair.bbox), "n": i})
    records.append({"scene": "missing", "product": "gone", "bbox": [0.1, 0.1, 0.5, 0.5]})
    records.append({"scene": scene_id, "product": f"prod{pair.product}", "bbox": [0.5, 0.1, 0.2, 0.5]})  # not a box
    (out / "stl.json").write_text(json.dumps(records))
    return out / "stl.json", images


def test_shop_the_look_records_become_pairs_and_bad_ones_are_skipped(lookbook, tmp_path):
    path, images = stl_folder(lookbook, tmp_path)
    pairs, skipped = stl_pairs(read_records(path), images)
    assert skipped == 2
    assert len(pairs) == len(lookbook_pairs(lookbook, "train")) + len(lookbook_pairs(lookbook, "test"))
    assert all(p.partition == ("all", "all") and len(p.photos) == 1 for p in pairs)
    train, held = split_by_product(pairs, 0.25, seed=1)
    assert held and not ({p.product for p in train} & {p.product for p in held})


def test_model_shots_are_boxed_and_shots_without_the_garment_skipped(tmp_path):
    shots = [
        ModelShot("1", "men", "topwear", tmp_path / "a.jpg", (tmp_path / "a-front.jpg",)),
        ModelShot("2", "men", "footwear", tmp_path / "b.jpg", (tmp_path / "b-front.jpg",)),
        ModelShot("3", "women", "topwear", tmp_path / "c.jpg", ()),  # nothing to be the positive
    ]
    pairs, skipped = model_shot_pairs(
        shots, lambda path, category: (0.1, 0.2, 0.6, 0.5) if category == "topwear" else None
    )
    assert skipped == 2
    assert [(p.product, p.bbox, p.partition) for p in pairs] == [("1", (0.1, 0.2, 0.6, 0.5), ("men", "topwear"))]


@pytest.mark.slow
def test_train_embedder_command_from_shop_the_look_records(lookbook, tmp_path):
    path, images = stl_folder(lookbook, tmp_path)
    out = io.StringIO()
    call_command(
        "train_embedder",
        source="stl",
        stl_json=path,
        stl_images=images,
        epochs=1,
        size=64,
        dim=16,
        held_out=0.25,
        out=tmp_path / "model",
        report=tmp_path / "report",
        no_ship=True,
        stdout=out,
    )
    summary = json.loads(out.getvalue())
    assert summary["float16"]["split"] == "held-out" and summary["float16"]["queries"] > 0
    assert (tmp_path / "model" / "embedder_fp16.tflite").exists()


@pytest.mark.django_db
def test_the_catalog_source_boxes_each_product_in_its_model_shot():
    from tests.shopthelook.demo_catalog import demo_products, ingest
    from training.management.commands.train_embedder import catalog_pairs

    with_model_shots = [p for p in demo_products() if "model" in p.views][:12]
    ingest(with_model_shots, views=("front", "model"))
    pairs, skipped = catalog_pairs()
    assert len(pairs) + skipped == 12
    assert len(pairs) >= 9  # the shipped detector finds the garment on most demo model shots
    for pair in pairs:
        left, top, right, bottom = pair.bbox
        assert 0 <= left < right <= 1 and 0 <= top < bottom <= 1
        assert len(pair.photos) == 1 and pair.photos[0].exists() and pair.scene.exists()
