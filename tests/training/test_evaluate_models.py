"""`evaluate_models`: every figure measured on the lookbook it is given, and a bad model file is an error naming it."""

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from detection.registry import WEIGHTS_DIR, forget_loaded
from training.management.commands.evaluate_models import KEYS, MODELS


def _weights(tmp_path: Path) -> Path:
    """The shipped manifest and links to the shipped files of the models evaluated, in a folder of its own."""
    folder = tmp_path / "weights"
    folder.mkdir()
    shutil.copy(WEIGHTS_DIR / "manifest.json", folder)
    models = json.loads((folder / "manifest.json").read_text())["models"]
    for name in MODELS:
        (folder / models[name]["file"]).symlink_to(WEIGHTS_DIR / models[name]["file"])
    return folder


def _evaluate(lookbook: Path, tmp_path: Path, **opts) -> dict:
    out = StringIO()
    call_command("evaluate_models", lookbook=lookbook, report=tmp_path / "report", json=True, stdout=out, **opts)
    return json.loads(out.getvalue())


@pytest.fixture(autouse=True)
def _fresh_registry():
    forget_loaded()  # verified_model caches by folder: a file changed in a test folder must be read again
    yield
    forget_loaded()


@pytest.mark.parametrize("name", ["garment_detector", "embedder", "garment_namer"])
def test_a_missing_model_file_is_an_error_naming_it(tiny_lookbook, tmp_path, name):
    weights = _weights(tmp_path)
    file = json.loads((weights / "manifest.json").read_text())["models"][name]["file"]
    (weights / file).unlink()
    with pytest.raises(CommandError, match=f"{file} is missing"):
        _evaluate(tiny_lookbook, tmp_path, weights=weights)
    assert not (tmp_path / "report" / "metrics.json").exists()  # nothing was measured, nothing written


def test_a_corrupt_model_file_is_an_error_naming_it(tiny_lookbook, tmp_path):
    weights = _weights(tmp_path)
    file = json.loads((weights / "manifest.json").read_text())["models"]["gender_classifier"]["file"]
    (weights / file).unlink()
    (weights / file).write_bytes((WEIGHTS_DIR / file).read_bytes()[:-1] + b"\0")  # one byte changed
    with pytest.raises(CommandError, match=f"{file} is corrupt"):
        _evaluate(tiny_lookbook, tmp_path, weights=weights)


def test_the_figures_are_measured_on_the_lookbook_given(tiny_lookbook, tmp_path):
    # given the tiny lookbook, and a copy of it whose people are labelled with the other gender
    flipped = tmp_path / "flipped"
    shutil.copytree(tiny_lookbook, flipped)
    scenes = flipped / "scenes" / "test.jsonl"
    rows = [json.loads(line) for line in scenes.read_text().splitlines()]
    other = {"men": "women", "women": "men"}
    scenes.write_text("".join(json.dumps({**r, "gender": other[r["gender"]]}) + "\n" for r in rows))
    # when both are evaluated
    figures = _evaluate(tiny_lookbook, tmp_path)
    on_flipped = _evaluate(flipped, tmp_path)
    # then every figure is a measurement of this run, none copied from the manifest
    assert set(KEYS) <= set(figures) and figures["split"] == "test"
    for key in KEYS:
        if key != "fp16_recall_at_10_drop":
            assert 0.0 <= figures[key] <= 1.0, key
    assert figures["gender_accuracy"] == pytest.approx(1 - on_flipped["gender_accuracy"], abs=1e-4)
    assert figures["retrieval_recall_at_1"] == on_flipped["retrieval_recall_at_1"]  # the pairs did not change
    # the shipped embedder's float32 export is not kept here: the drop is not measured, not copied
    assert figures["fp16_recall_at_10_drop"] is None
    assert "float32 export" in figures["not_measured"]["fp16_recall_at_10_drop"]
    report = json.loads((tmp_path / "report" / "metrics.json").read_text())
    assert report["details"]["gender"]["images"] == len(rows)


def test_the_text_output_says_what_was_not_measured(tiny_lookbook, tmp_path):
    out = StringIO()
    call_command("evaluate_models", lookbook=tiny_lookbook, report=tmp_path, limit=1, stdout=out)
    line = next(line for line in out.getvalue().splitlines() if line.startswith("fp16_recall_at_10_drop"))
    assert "not measured" in line
