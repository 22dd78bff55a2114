"""Model files are found through the manifest and refused, with their name, when missing or corrupt."""

import hashlib
import json

import pytest

from detection.litert import TFLiteModel
from detection.registry import ModelFileError, verified_model


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


def test_a_shipped_model_is_verified_and_loaded_once_then_reused(weights):
    from detection.registry import ShippedModel

    loads = []
    model = ShippedModel("good", lambda entry: loads.append(entry.path) or object(), weights)

    first, second = model(), model()

    assert first is second and loads == [weights / "good.tflite"]
    model.forget()
    assert model() is not first and len(loads) == 2


def test_a_shipped_model_whose_file_is_corrupt_fails_before_loading(weights):
    from detection.registry import ShippedModel

    model = ShippedModel("bad", lambda entry: pytest.fail("a corrupt file must not be loaded"), weights)

    with pytest.raises(ModelFileError, match="corrupt"):
        model()


def test_every_model_in_the_manifest_is_registered_with_its_wrapper():
    from detection.models.article_types import article_classifier
    from detection.models.embedder import embedder
    from detection.models.face_gender import face_gender_agegender, face_gender_cydral
    from detection.models.faces import face_detector
    from detection.models.garment_names import garment_namer
    from detection.models.garments import garment_detector
    from detection.models.gender import gender_classifier
    from detection.models.person_boxes import person_boxes
    from detection.models.pose import person_detector, pose_landmarker
    from detection.models.product_views import view_classifier
    from detection.models.segmentation import person_segmenter
    from detection.registry import REGISTRY, read_manifest
    from embeddings.compatibility import compatibility

    # each wrapper module holds its model's registry line
    shipped = {
        "garment_detector": garment_detector,
        "gender_classifier": gender_classifier,
        "embedder": embedder,
        "face_detector": face_detector,
        "face_gender_cydral": face_gender_cydral,
        "face_gender_agegender": face_gender_agegender,
        "pose_detector": person_detector,
        "pose_landmarks": pose_landmarker,
        "person_segmentation": person_segmenter,
        "view_classifier": view_classifier,
        "article_classifier": article_classifier,
        "compatibility": compatibility,
        "garment_namer": garment_namer,
        "person_boxes": person_boxes,
    }
    assert shipped == REGISTRY
    assert set(REGISTRY) == set(read_manifest()["models"])


def test_the_detector_takes_its_classes_from_the_manifest_and_needs_them(weights):
    from detection.models.garments import garment_detector
    from detection.taxonomy import DETECTOR_CLASSES

    assert garment_detector.entry.classes == DETECTOR_CLASSES  # the taxonomy it was trained with
    assert garment_detector().garment_classes == DETECTOR_CLASSES[:-1]
    with pytest.raises(ModelFileError, match="no classes"):
        _ = verified_model("good", weights).classes
