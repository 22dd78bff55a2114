"""Fashion-MNIST from the Debian package: the IDX reader, the split, the report's architectures, the command."""

import gzip
import json
import struct
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from training import fashion_mnist as fm


def test_the_official_splits_are_read_from_the_debian_package():
    images, labels = fm.load_split("train")
    test_images, test_labels = fm.load_split("test")
    assert images.shape == (60000, 28, 28) and test_images.shape == (10000, 28, 28)
    assert images.dtype == np.uint8 and 200 < images.max() <= 255
    assert np.bincount(labels).tolist() == [6000] * 10 and np.bincount(test_labels).tolist() == [1000] * 10


def _idx(path, magic: bytes, dims: tuple[int, ...], payload: bytes):
    with gzip.open(path, "wb") as fh:
        fh.write(magic + struct.pack(f">{len(dims)}I", *dims) + payload)
    return path


def test_a_bad_idx_file_is_refused(tmp_path):
    good = _idx(tmp_path / "good.gz", b"\0\0\x08\x02", (2, 3), bytes(range(6)))
    assert fm.read_idx(good).tolist() == [[0, 1, 2], [3, 4, 5]]
    with pytest.raises(ValueError, match="header says"):
        fm.read_idx(_idx(tmp_path / "short.gz", b"\0\0\x08\x02", (2, 3), bytes(5)))
    with pytest.raises(ValueError, match="not an IDX file"):
        fm.read_idx(_idx(tmp_path / "floats.gz", b"\0\0\x0d\x01", (1,), bytes(4)))


def test_a_missing_dataset_names_the_make_target(tmp_path):
    with pytest.raises(CommandError, match="make fashion-mnist"):
        call_command("train_fashion_mnist", data=tmp_path, out=tmp_path)


def test_the_validation_split_holds_out_a_tenth_of_every_class():
    labels = fm.load_split("train")[1]
    train, val = fm.validation_split(labels)
    assert len(np.intersect1d(train, val)) == 0 and len(train) + len(val) == len(labels)
    assert np.bincount(labels[val]).tolist() == [600] * 10
    assert np.array_equal(val, fm.validation_split(labels)[1])  # the same split every run


def test_lenet5_and_the_resnet_are_the_published_shapes():
    lenet = fm.lenet5()
    c5 = [layer for layer in lenet.layers if layer.__class__.__name__ == "Conv2D"][-1]
    assert tuple(c5.output.shape[1:]) == (1, 1, 120)  # C5: a 5x5 convolution over a 5x5 map
    assert lenet.count_params() == 61706  # LeNet-5 with a 10-way output
    net = fm.resnet(blocks_per_stage=2)
    weighted = [
        layer
        for layer in net.layers
        if layer.__class__.__name__ == "Dense" or (layer.__class__.__name__ == "Conv2D" and layer.kernel_size == (3, 3))
    ]
    assert len(weighted) == 6 * 2 + 2  # ResNet-(6n+2), 1x1 projections not counted
    assert sum(layer.__class__.__name__ == "Add" for layer in net.layers) == 6


def test_the_command_keeps_each_model_at_its_best_validation_epoch(tmp_path):
    out = StringIO()
    call_command(
        "train_fashion_mnist",
        models=["dense", "lenet5"],
        train_limit=3000,
        max_epochs=3,
        out=tmp_path,
        json=True,
        stdout=out,
    )
    report = json.loads(out.getvalue())
    assert report["train_images"] == 3000 and report["test_images"] == 10000
    for row in report["models"]:
        val = [h["val_accuracy"] for h in row["history"]]
        assert row["epoch_kept"] == int(np.argmax(val)) + 1 and row["val_accuracy"] == round(max(val), 4)
        assert sum(map(sum, row["confusion"])) == 10000
        assert row["published"] == fm.PUBLISHED[row["model"]]
        assert (tmp_path / f"{row['model']}_confusion.png").exists() and (tmp_path / f"{row['model']}.keras").exists()
    dense = report["models"][0]
    assert dense["test_accuracy"] > 0.7  # 3000 images, 3 epochs: far above chance (0.1)
    assert (tmp_path / "curves.png").exists() and (tmp_path / "fashion_mnist.json").exists()


def test_retraining_one_model_keeps_the_others_rows(tmp_path):
    run = {"train_limit": 1000, "max_epochs": 1, "out": tmp_path, "json": True}
    call_command("train_fashion_mnist", models=["dense", "lenet5"], stdout=StringIO(), **run)
    first = json.loads((tmp_path / "fashion_mnist.json").read_text())["models"]
    out = StringIO()
    call_command("train_fashion_mnist", models=["dense"], stdout=out, **run)
    rows = json.loads(out.getvalue())["models"]
    assert [r["model"] for r in rows] == ["dense", "lenet5"] and rows[1] == first[1]
    call_command("train_fashion_mnist", models=["dense"], stdout=out, **{**run, "train_limit": 900})
    assert [r["model"] for r in json.loads((tmp_path / "fashion_mnist.json").read_text())["models"]] == ["dense"]


def test_our_model_reads_mirror_images_only_if_validation_gains(tmp_path):
    out = StringIO()
    call_command(
        "train_fashion_mnist", models=["ours"], train_limit=1000, max_epochs=1, out=tmp_path, json=True, stdout=out
    )
    row = json.loads(out.getvalue())["models"][0]
    assert row["val_accuracy_mirrored"] is not None
    assert row["test_time_mirror"] == (row["val_accuracy_mirrored"] > row["val_accuracy"])


def test_the_test_set_chooses_nothing(tmp_path):
    # given the official files, and a copy whose test labels are shuffled
    shuffled = tmp_path / "shuffled"
    shuffled.mkdir()
    for name in (*fm.FILES["train"], fm.FILES["test"][0]):
        (shuffled / name).symlink_to(fm.DATA_DIR / name)
    labels = fm.read_idx(fm.DATA_DIR / fm.FILES["test"][1])
    permuted = np.random.default_rng(1).permutation(labels).tobytes()
    _idx(shuffled / fm.FILES["test"][1], b"\0\0\x08\x01", labels.shape, permuted)
    # when the same small run is made on both
    runs = []
    for data in (fm.DATA_DIR, shuffled):
        out = StringIO()
        run = {"models": ["dense", "ours"], "train_limit": 1000, "max_epochs": 2, "json": True}
        call_command("train_fashion_mnist", data=data, out=tmp_path / data.name, stdout=out, **run)
        runs.append({r["model"]: r for r in json.loads(out.getvalue())["models"]})
    # then every choice (epoch, mirror) and validation figure is the same; only the test score moves
    for name in ("dense", "ours"):
        real, fake = runs[0][name], runs[1][name]
        for key in ("epoch_kept", "val_accuracy", "val_accuracy_mirrored", "test_time_mirror"):
            assert real[key] == fake[key], (name, key)
        assert [h["val_accuracy"] for h in real["history"]] == [h["val_accuracy"] for h in fake["history"]]
        assert fake["test_accuracy"] < 0.2  # shuffled labels: chance is 0.1
    assert runs[0]["dense"]["test_accuracy"] > 0.5


def test_several_ceilings_are_each_trained_and_the_best_on_validation_is_kept(tmp_path):
    out = StringIO()
    call_command(
        "train_fashion_mnist", models=["dense"], max_epochs=[1, 3], train_limit=600, out=tmp_path, json=True, stdout=out
    )
    row = json.loads(out.getvalue())["models"][0]
    tried = row["ceilings_tried"]
    assert [t["max_epochs"] for t in tried] == [1, 3]
    best = max(tried, key=lambda t: (t["val_accuracy"], -t["max_epochs"]))
    assert row["val_accuracy"] == best["val_accuracy"] and row["epochs_run"] == best["max_epochs"]
    assert row["epoch_kept"] == best["epoch_kept"]
