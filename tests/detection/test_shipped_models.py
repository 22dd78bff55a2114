"""The shipped TFLite models, run by the run-time wrappers on freshly rendered scenes.

The scenes come from a catalog seed and a scene seed the lookbook never used, so nothing here was
trained on. The bars sit below the test-split figures in weights/manifest.json: they catch a broken
export, a preprocessing mismatch or a wrong file, not small changes in quality.
"""

import random

import pytest

from detection.models.gender import gender_classifier
from detection.registry import verified_model
from synthetic.designs import generate_catalog
from synthetic.scenes import render_scene
from synthetic.stylist import random_outfit

# Measured when shipped: Recall@1 0.76, Recall@5 0.99 (chance: 0.05 and 0.25).
EMBED_R1_BAR, EMBED_R5_BAR = 0.5, 0.85
FRESH_CATALOG = {"n_products": 120, "seed": 4242}


@pytest.fixture(scope="module")
def fresh_scenes():
    rng = random.Random(31337)
    pool: dict = {}
    for p in generate_catalog(FRESH_CATALOG["n_products"], seed=FRESH_CATALOG["seed"]):
        pool.setdefault((p.gender, p.category), []).append(p)
    scenes = []
    for i in range(40):
        gender = ("men", "women")[i % 2]
        scenes.append(render_scene(random_outfit(pool, gender, rng), gender, rng))
    return scenes


def test_gender_classifier_tells_men_from_women_on_unseen_scenes(fresh_scenes):
    classifier = gender_classifier()  # through the registry, as the worker loads it
    correct = 0
    for scene in fresh_scenes:
        person = next(b for b in scene.boxes if b.label == "person")
        guess = classifier.predict(scene.image, (person.x1, person.y1, person.x2, person.y2))
        assert 0.0 <= guess.p_women <= 1.0
        correct += guess.label == scene.gender
    assert correct / len(fresh_scenes) >= 0.7


def test_garment_detector_finds_each_garment_of_unseen_scenes(fresh_scenes):
    from detection.boxes import iou_matrix
    from detection.models.garments import garment_detector

    detector = garment_detector()
    assert detector.classes == tuple(verified_model("garment_detector").info["classes"])
    found = total = 0
    for scene in fresh_scenes:
        boxes = detector.predict(scene.image)
        for truth in scene.boxes:
            same = [b.as_tuple() for b in boxes if b.label == truth.label]
            total += 1
            if same and iou_matrix((truth.x1, truth.y1, truth.x2, truth.y2), same).max() >= 0.5:
                found += 1
    assert found / total >= 0.85


def test_embedder_finds_the_worn_product_in_an_unseen_catalog(fresh_scenes):
    import io

    import numpy as np
    from PIL import Image

    from detection.models.embedder import embedder as shipped_embedder
    from embeddings.metrics import retrieval_metrics
    from synthetic.views import view_jpeg

    embedder = shipped_embedder()
    catalog = generate_catalog(FRESH_CATALOG["n_products"], seed=FRESH_CATALOG["seed"])
    gallery = np.stack([embedder.predict(Image.open(io.BytesIO(view_jpeg(p, "front")))) for p in catalog])
    queries, relevant, allowed = [], [], []
    partition = np.array([f"{p.gender}/{p.category}" for p in catalog])
    ids = np.array([p.product_id for p in catalog])
    by_id = {p.product_id: p for p in catalog}
    for scene in fresh_scenes:
        for b in scene.boxes:
            if b.product_id and b.product_id in by_id:
                queries.append(embedder.predict(scene.image, (b.x1, b.y1, b.x2, b.y2)))
                relevant.append(ids == b.product_id)
                worn = by_id[b.product_id]
                allowed.append(partition == f"{worn.gender}/{worn.category}")
    m = retrieval_metrics(np.stack(queries) @ gallery.T, np.array(relevant), ks=(1, 5), allowed=np.array(allowed))
    # about 20 products per partition: chance is 0.05 for Recall@1 and 0.25 for Recall@5
    assert m["recall@1"] >= EMBED_R1_BAR and m["recall@5"] >= EMBED_R5_BAR


def test_the_manifest_records_how_each_model_was_made():
    for name in ("garment_detector", "gender_classifier", "embedder"):
        info = verified_model(name).info
        assert info["training"]["command"].startswith("manage.py train_")
        assert info["input_size"][2] == 3 and info["precision"] in ("float16", "int8")
        assert info["bytes"] < 10_000_000
        if info["precision"] == "int8":  # trained in float16, then quantized: both steps are recorded
            quantised = info["quantisation"]
            assert quantised["command"] == f"manage.py quantize_model {name}"
            assert quantised["from"]["precision"] == "float16" and len(quantised["from"]["sha256"]) == 64
            before, after = quantised["validation"]["before"], quantised["validation"]["after"]
            assert after and all(after[figure] >= before[figure] - 0.01 for figure in after)
