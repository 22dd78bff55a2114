"""The shipped TFLite models, run by the run-time wrappers on freshly rendered scenes.

The scenes come from a catalog seed and a scene seed the lookbook never used, so nothing here was
trained on. The bars sit below the test-split figures in weights/manifest.json: they catch a broken
export, a preprocessing mismatch or a wrong file, not small changes in quality.
"""

import random

import pytest

from detection.ml.gender import GenderClassifier
from detection.ml.model_files import verified_model
from scraper.demo_store.designs import generate_catalog
from scraper.demo_store.lookbook import sample_outfit
from scraper.demo_store.scenes import render_scene


@pytest.fixture(scope="module")
def fresh_scenes():
    rng = random.Random(31337)
    pool: dict = {}
    for p in generate_catalog(120, seed=4242):
        pool.setdefault((p.gender, p.category), []).append(p)
    scenes = []
    for i in range(40):
        gender = ("men", "women")[i % 2]
        scenes.append(render_scene(sample_outfit(pool, gender, rng), gender, rng))
    return scenes


def test_gender_classifier_tells_men_from_women_on_unseen_scenes(fresh_scenes):
    classifier = GenderClassifier(verified_model("gender_classifier").path)
    correct = 0
    for scene in fresh_scenes:
        person = next(b for b in scene.boxes if b.label == "person")
        guess = classifier.classify(scene.image, (person.x1, person.y1, person.x2, person.y2))
        assert 0.0 <= guess.p_women <= 1.0
        correct += guess.label == scene.gender
    assert correct / len(fresh_scenes) >= 0.7


def test_garment_detector_finds_each_garment_of_unseen_scenes(fresh_scenes):
    from detection.ml.boxes import iou_matrix
    from detection.ml.garments import GarmentDetector

    detector = GarmentDetector(verified_model("garment_detector").path)
    found = total = 0
    for scene in fresh_scenes:
        boxes = detector.detect(scene.image)
        for truth in scene.boxes:
            same = [b.as_tuple() for b in boxes if b.label == truth.label]
            total += 1
            if same and iou_matrix((truth.x1, truth.y1, truth.x2, truth.y2), same).max() >= 0.5:
                found += 1
    assert found / total >= 0.85


def test_the_manifest_records_how_each_model_was_made():
    for name in ("garment_detector", "gender_classifier"):
        info = verified_model(name).info
        assert info["training"]["command"].startswith("manage.py train_")
        assert info["input_size"][2] == 3 and info["precision"] == "float16"
        assert info["bytes"] < 10_000_000
