"""`calibrate_exact_match`: the rule is chosen on the validation split read, and the manifest gets what it printed."""

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from detection.registry import WEIGHTS_DIR, forget_loaded, sha256_of


def _calibrate(lookbook: Path, **opts) -> dict:
    out = StringIO()
    call_command("calibrate_exact_match", lookbook=lookbook, stdout=out, **opts)
    return json.loads(out.getvalue())


@pytest.fixture
def weights(tmp_path) -> Path:
    """The shipped manifest beside a link to the shipped embedder: a manifest the test may write."""
    folder = tmp_path / "weights"
    folder.mkdir()
    shutil.copy(WEIGHTS_DIR / "manifest.json", folder)
    file = json.loads((folder / "manifest.json").read_text())["models"]["embedder"]["file"]
    (folder / file).symlink_to(WEIGHTS_DIR / file)
    forget_loaded()
    yield folder
    forget_loaded()


def test_the_rule_is_measured_on_validation_and_checked_on_test(tiny_lookbook):
    shipped = sha256_of(WEIGHTS_DIR / "manifest.json")
    result = _calibrate(tiny_lookbook, no_save=True)
    queries = len((tiny_lookbook / "pairs" / "val.jsonl").read_text().splitlines())
    assert result["split"] == "val" and result["queries"] == queries
    assert 0.0 <= result["top1_accuracy"] <= 1.0 and 0.0 <= result["coverage"] <= 1.0
    assert result["test_check"]["split"] == "test"
    assert sha256_of(WEIGHTS_DIR / "manifest.json") == shipped  # --no-save wrote nothing


def test_an_unreachable_precision_labels_nothing(tiny_lookbook):
    # no rule can be right more than always: the figures say so instead of repeating the shipped rule
    result = _calibrate(tiny_lookbook, no_save=True, precision=1.01)
    assert result["precision"] is None and result["coverage"] == 0.0
    assert (result["threshold"], result["min_similarity"]) == (1.0, 1.0)


def test_the_manifest_records_exactly_what_was_printed(tiny_lookbook, weights):
    printed = _calibrate(tiny_lookbook, weights=weights)
    recorded = json.loads((weights / "manifest.json").read_text())["models"]["embedder"]["exact_match"]
    assert recorded == printed
    shipped = json.loads((WEIGHTS_DIR / "manifest.json").read_text())["models"]["embedder"]["exact_match"]
    assert recorded["queries"] != shipped["queries"]  # measured on the tiny lookbook, not the shipped one
