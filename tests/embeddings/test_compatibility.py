"""The run-time compatibility model: its query vector is the model, and a vector index search ranks by it exactly."""

import json
import shutil

import numpy as np
import pytest

from detection.registry import WEIGHTS_DIR, ModelFileError, ShippedModel
from embeddings.compatibility import CATEGORIES, ClassAxes, CompatibilityModel, pair_key, search_vector
from embeddings.faiss_index import FaissIndex

DIM, RANK = 12, 4


def random_model(
    seed: int = 0, colour_size: int = 0, classes: ClassAxes | None = None, types: tuple = ()
) -> CompatibilityModel:
    rng = np.random.default_rng(seed)
    keys = [pair_key(a, b) for a in CATEGORIES for b in CATEGORIES if a != b]
    size = DIM + colour_size + (0 if classes is None else len(classes.axes)) + len(types)
    q = {k: rng.normal(size=(RANK, size)).astype(np.float32) for k in keys}
    p = {k: rng.normal(size=(RANK, size)).astype(np.float32) for k in keys}
    w = {c: rng.normal(size=size).astype(np.float32) for c in CATEGORIES}
    return CompatibilityModel(q, p, w, colour_size, classes, types=types)


def class_probabilities(n: int, seed: int, classes: int = 30) -> np.ndarray:
    """Softmax rows over `classes`, each peaked on one of a few classes, as a classifier's are."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(n, classes))
    logits[np.arange(n), rng.integers(0, 4, n)] += 6
    p = np.exp(logits)
    return (p / p.sum(axis=1, keepdims=True)).astype(np.float32)


def unit_rows(n: int, seed: int) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(n, DIM)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_the_score_is_the_sum_of_each_worn_garments_bilinear_score_plus_the_prior():
    model = random_model()
    top, bottom = unit_rows(2, 1)
    shoes = unit_rows(5, 2)
    worn = [("topwear", top), ("bottomwear", bottom)]
    expected = shoes @ model.w["footwear"]
    for category, a in worn:
        key = pair_key(category, "footwear")
        expected = expected + (shoes @ model.p[key].T) @ (model.q[key] @ a)
    assert np.allclose(model.scores(worn, "footwear", shoes), expected, atol=1e-4)


def test_a_garment_of_the_target_category_does_not_count():
    model = random_model()
    top, other_shoe = unit_rows(2, 3)
    shoes = unit_rows(4, 4)
    alone = model.scores([("topwear", top)], "footwear", shoes)
    assert np.allclose(model.scores([("topwear", top), ("footwear", other_shoe)], "footwear", shoes), alone)


def test_weights_survive_a_round_trip_through_the_file(tmp_path):
    model = random_model(5)
    model.save(tmp_path / "c.npz")
    again = CompatibilityModel.from_file(tmp_path / "c.npz")
    top, shoes = unit_rows(1, 6)[0], unit_rows(3, 7)
    assert np.allclose(
        again.scores([("topwear", top)], "footwear", shoes), model.scores([("topwear", top)], "footwear", shoes)
    )


def test_a_file_without_the_models_arrays_is_refused(tmp_path):
    np.savez(tmp_path / "other.npz", weights=np.zeros(3))
    with pytest.raises(ValueError, match="no compatibility model"):
        CompatibilityModel.from_file(tmp_path / "other.npz")


def test_one_index_search_with_the_query_vector_ranks_the_partition_by_compatibility():
    # given: a partition of 40 shoes in a real FAISS index
    model = random_model(8)
    shoes = unit_rows(40, 9)
    index = FaissIndex(DIM)
    index.add("women/footwear", list(range(40)), shoes)
    worn = [("topwear", unit_rows(1, 10)[0]), ("bottomwear", unit_rows(1, 11)[0])]
    # when
    hits = index.search(search_vector(model.query_vector(worn, "footwear")), 10, ["women/footwear"])
    # then: the same ten, in the same order, as scoring every shoe with the model
    assert [h.id for h in hits] == list(np.argsort(-model.scores(worn, "footwear", shoes))[:10])


def test_colours_follow_the_vector_and_the_vector_part_of_a_query_meets_the_index(tmp_path):
    model = random_model(12, colour_size=3)
    model.save(tmp_path / "c.npz")
    model = CompatibilityModel.from_file(tmp_path / "c.npz")
    assert model.colour_size == 3
    top, shoe = unit_rows(2, 13)
    colours = np.array([0.2, 0.5, 0.3], np.float32)
    worn = [("topwear", model.features(top, colours))]
    assert np.allclose(worn[0][1], np.concatenate([top, colours]))
    assert np.allclose(model.features(shoe, None)[DIM:], 0)  # colours never read: zeros, the vector still counts
    query = model.query_vector(worn, "footwear")
    shoe_colours = np.array([0.0, 1.0, 0.0], np.float32)
    whole = model.scores(worn, "footwear", model.features(shoe, shoe_colours)[None])[0]
    # the index holds the vector: its part of the score, plus the colours' part, is the whole score
    assert model.vector_part(query).shape == (DIM,)
    assert whole == pytest.approx(float(model.vector_part(query) @ shoe + query[DIM:] @ shoe_colours), abs=1e-4)


def test_class_axes_are_the_principal_axes_of_the_log_probabilities_at_unit_variance():
    probabilities = class_probabilities(400, 20)
    axes = ClassAxes.fit(probabilities, 3)
    projected = axes.project(probabilities)
    assert projected.shape == (400, 3)
    assert np.allclose(projected.mean(axis=0), 0, atol=1e-4)
    assert np.allclose(projected.std(axis=0), 1, atol=1e-3)
    assert abs(np.corrcoef(projected.T)[0, 1]) < 1e-3  # uncorrelated axes
    # the spread that matters survives: which of four classes each row peaks on, from three numbers
    peak = probabilities.argmax(axis=1)
    centres = np.stack([projected[peak == c].mean(axis=0) for c in range(4)])
    nearest = np.argmin(((projected[:, None] - centres[None]) ** 2).sum(axis=2), axis=1)
    assert (nearest == peak).mean() > 0.9  # chance: 0.25


def test_classes_follow_the_colours_and_survive_the_file(tmp_path):
    # given: a model reading vector, 3 colours and 2 class axes
    probabilities = class_probabilities(200, 21)
    model = random_model(22, colour_size=3, classes=ClassAxes.fit(probabilities, 2))
    model.save(tmp_path / "c.npz")
    again = CompatibilityModel.from_file(tmp_path / "c.npz")
    assert (again.colour_size, again.class_size) == (3, 2)
    top, shoe = unit_rows(2, 23)
    colours = np.array([0.2, 0.5, 0.3], np.float32)
    features = again.features(top, colours, probabilities[0])
    # then: the blocks are in order, the classes read as their projection
    assert features.shape == (DIM + 3 + 2,)
    assert np.allclose(features[DIM + 3 :], model.classes.project(probabilities[0]), atol=1e-5)
    # a photo matrix reads as its rows do, and classes never read are zeros, not the projection of zeros
    rows = again.features(np.stack([top, shoe]), np.stack([colours, colours]), None)
    assert rows.shape == (2, DIM + 5) and np.allclose(rows[:, DIM + 3 :], 0)
    # a photo whose classes were never read: zeros, not the projection of zeros
    assert np.allclose(
        again.features(np.stack([top, shoe]), None, np.stack([probabilities[1], np.zeros(30)]))[1, DIM + 3 :], 0
    )
    # the vector part is still what meets the index
    query = again.query_vector([("topwear", features)], "footwear")
    assert again.vector_part(query).shape == (DIM,)
    whole = again.scores([("topwear", features)], "footwear", again.features(shoe, colours, probabilities[1])[None])
    assert whole[0] == pytest.approx(
        float(
            model.scores([("topwear", features)], "footwear", model.features(shoe, colours, probabilities[1])[None])[0]
        ),
        abs=1e-3,
    )


def test_a_worn_garment_is_read_by_the_first_worn_axes_only(tmp_path):
    probabilities = class_probabilities(200, 25)
    model = random_model(26, colour_size=3, classes=ClassAxes.fit(probabilities, 4))
    model.worn_axes = 2
    model.save(tmp_path / "c.npz")
    again = CompatibilityModel.from_file(tmp_path / "c.npz")
    top = unit_rows(1, 27)[0]
    colours = np.array([0.2, 0.5, 0.3], np.float32)
    assert again.worn_axes == 2
    worn, photo = again.worn(top, colours, probabilities[0]), again.features(top, colours, probabilities[0])
    # the vector, the colours and the first two axes as a catalog photo reads them; the last two zeros
    assert np.allclose(worn[: DIM + 5], photo[: DIM + 5]) and np.allclose(worn[DIM + 5 :], 0)
    assert not np.allclose(photo[DIM + 5 :], 0)  # the catalog photos' classes still count on every axis
    model.worn_axes = 0
    assert np.allclose(model.worn(top, colours, probabilities[0])[DIM + 3 :], 0)
    model.worn_axes = 4
    assert np.allclose(model.worn(top, colours, probabilities[0]), model.features(top, colours, probabilities[0]))


def test_a_file_of_before_worn_axes_reads_its_flag(tmp_path):
    # stop 24's files said by a flag whether worn garments' classes were read: all axes, or none
    model = random_model(26, colour_size=3, classes=ClassAxes.fit(class_probabilities(200, 25), 4))
    for flag, axes in ((0, 0), (1, 4)):
        model.save(tmp_path / "c.npz")
        with np.load(tmp_path / "c.npz") as data:
            arrays = {k: data[k] for k in data.files if k != "worn_axes"}
        np.savez(tmp_path / "old.npz", **arrays, worn_classes=np.array(flag, np.float32))
        assert CompatibilityModel.from_file(tmp_path / "old.npz").worn_axes == axes


def test_article_types_are_read_as_their_share_of_the_classes_on_both_sides(tmp_path):
    # given: three types, one of classes 0, one of classes 1 and 2, one of class 3 (as the namer groups them)
    probabilities = class_probabilities(200, 25)
    types = (np.array([0]), np.array([1, 2]), np.array([3]))
    model = random_model(26, colour_size=3, classes=ClassAxes.fit(probabilities, 4), types=types)
    model.worn_axes = 0
    top, colours, p = unit_rows(1, 27)[0], np.array([0.2, 0.5, 0.3], np.float32), probabilities[0]
    # when
    photo, worn = model.features(top, colours, p), model.worn(top, colours, p)
    # then: the last three numbers are each type's share of the four classes' probability
    mass = np.array([p[0], p[1] + p[2], p[3]])
    assert np.allclose(photo[-3:], mass / mass.sum(), atol=1e-6) and photo[-3:].sum() == pytest.approx(1)
    # a worn garment keeps its types though it reads no class axes; a photo never classified reads zeros
    assert np.allclose(worn[-3:], photo[-3:]) and np.allclose(worn[DIM + 3 : DIM + 7], 0)
    assert np.allclose(model.features(top, colours, None)[-3:], 0)
    # and the types survive the file, the query's vector part still meeting the index
    model.save(tmp_path / "c.npz")
    again = CompatibilityModel.from_file(tmp_path / "c.npz")
    assert [list(ids) for ids in again.types] == [[0], [1, 2], [3]]
    query = again.query_vector([("topwear", worn)], "footwear")
    assert again.vector_part(query).shape == (DIM,)
    assert again.scores([("topwear", worn)], "footwear", photo[None])[0] == pytest.approx(
        float(model.scores([("topwear", worn)], "footwear", photo[None])[0]), abs=1e-3
    )


def _weights_beside(tmp_path, change) -> ShippedModel:
    """The shipped compatibility model in a copy of weights/ whose manifest `change` edits."""
    manifest = json.loads((WEIGHTS_DIR / "manifest.json").read_text())
    change(manifest["models"])
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    shutil.copy(WEIGHTS_DIR / manifest["models"]["compatibility"]["file"], tmp_path)
    return ShippedModel("compatibility", CompatibilityModel.from_entry, tmp_path)


def test_the_shipped_model_loads_beside_the_embedder_and_namer_it_was_trained_on(tmp_path):
    assert _weights_beside(tmp_path, lambda models: None)().reads_more_than_vectors


@pytest.mark.parametrize("retrained", ["embedder", "garment_namer"])
def test_a_model_trained_on_another_embedder_or_namer_is_refused_naming_the_file(tmp_path, retrained):
    def retrain(models):
        models[retrained]["sha256"] = "f" * 64

    with pytest.raises(ModelFileError, match=rf"compatibility.npz was trained on {retrained} .*train_compatibility"):
        _weights_beside(tmp_path, retrain)()
