"""`import_pretrained`: a pinned file is shipped with its source and no typed-in figures; a changed one is refused."""

import hashlib
import json
import re
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from training import pretrained
from training.packages import Package
from training.pretrained import PRETRAINED, PretrainedFile

MEMBER = "stl_test_weights/model.tflite"
PAYLOAD = b"a model file, as its package ships it"


def _wheel(cache: Path, payload: bytes) -> Package:
    """A package in the cache as pip would have downloaded it, so nothing is fetched."""
    package = Package("pypi", "stl-test-weights", "1.0.0", "MIT")
    cache.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(cache / "stl_test_weights-1.0.0-py3-none-any.whl", "w") as wheel:
        wheel.writestr(MEMBER, payload)
    return package


def _pinned(package: Package) -> PretrainedFile:
    digest = hashlib.sha256(PAYLOAD).hexdigest()
    return PretrainedFile(
        "test_model",
        package,
        ((MEMBER, digest),),
        "MIT",
        "a test model",
        "as-is",
        {"kind": "test", "input_size": [8, 8]},
    )


def _import(tmp_path: Path, *models: str) -> None:
    call_command(
        "import_pretrained", *models, cache=tmp_path / "cache", weights=tmp_path / "weights", stdout=StringIO()
    )


def test_a_pinned_file_is_shipped_with_its_source_and_no_figures(tmp_path, monkeypatch):
    monkeypatch.setattr(pretrained, "PRETRAINED", (_pinned(_wheel(tmp_path / "cache", PAYLOAD)),))
    _import(tmp_path)
    entry = json.loads((tmp_path / "weights" / "manifest.json").read_text())["models"]["test_model"]
    assert (tmp_path / "weights" / entry["file"]).read_bytes() == PAYLOAD
    assert entry["sha256"] == hashlib.sha256(PAYLOAD).hexdigest()
    assert entry["source"]["files"] == {MEMBER: hashlib.sha256(PAYLOAD).hexdigest()}
    assert entry["training"]["command"] == "manage.py import_pretrained test_model"
    assert "metrics" not in entry  # importing measures nothing, so it records no figure


def test_a_changed_package_is_refused_and_nothing_shipped(tmp_path, monkeypatch):
    monkeypatch.setattr(pretrained, "PRETRAINED", (_pinned(_wheel(tmp_path / "cache", PAYLOAD + b"!")),))
    with pytest.raises(CommandError, match=re.escape(f"test_model: stl-test-weights==1.0.0:{MEMBER} has sha256")):
        _import(tmp_path)
    assert not (tmp_path / "weights" / "manifest.json").exists()


def test_an_unknown_model_is_refused_by_name(tmp_path):
    with pytest.raises(CommandError, match=r"unknown model.*no_such_model"):
        _import(tmp_path, "no_such_model")


def test_no_pretrained_entry_carries_typed_in_metrics():
    # a figure belongs to the command that measures it (evaluate_models, evaluate_real_photos), not to the import
    assert [p.name for p in PRETRAINED if "metrics" in p.info] == []
