"""Model files are found through the manifest and refused, with their name, when missing or corrupt."""

import hashlib
import json

import pytest

from detection.ml.litert import TFLiteModel
from detection.ml.model_files import ModelFileError, verified_model


@pytest.fixture
def weights(tmp_path):
    (tmp_path / "good.tflite").write_bytes(b"model bytes")
    manifest = {
        "version": 1,
        "models": {
            "good": {"file": "good.tflite", "sha256": hashlib.sha256(b"model bytes").hexdigest()},
            "gone": {"file": "gone.tflite", "sha256": "0" * 64},
            "bad": {"file": "good.tflite", "sha256": "f" * 64},
        },
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    verified_model.cache_clear()
    yield tmp_path
    verified_model.cache_clear()


def test_a_file_matching_its_sha256_is_returned(weights):
    assert verified_model("good", weights).path == weights / "good.tflite"


def test_missing_file_names_the_file(weights):
    with pytest.raises(ModelFileError, match=r"gone\.tflite is missing"):
        verified_model("gone", weights)


def test_corrupt_file_names_the_file(weights):
    with pytest.raises(ModelFileError, match=r"good\.tflite is corrupt"):
        verified_model("bad", weights)


def test_unknown_model_and_missing_manifest_are_clear_errors(weights, tmp_path_factory):
    with pytest.raises(ModelFileError, match="'nope' is not in"):
        verified_model("nope", weights)
    with pytest.raises(ModelFileError, match=r"manifest\.json is missing"):
        verified_model("good", tmp_path_factory.mktemp("empty"))


def test_a_file_that_is_not_a_model_is_refused_by_name(weights):
    with pytest.raises(ModelFileError, match=r"good\.tflite is not a loadable TFLite model"):
        TFLiteModel(weights / "good.tflite")
