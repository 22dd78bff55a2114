"""The run-time compatibility model: its query vector is the model, and a vector index search ranks by it exactly."""

import numpy as np
import pytest

from embeddings.compatibility import CATEGORIES, CompatibilityModel, pair_key, search_vector
from embeddings.faiss_index import FaissIndex

DIM, RANK = 12, 4


def random_model(seed: int = 0, colour_size: int = 0) -> CompatibilityModel:
    rng = np.random.default_rng(seed)
    keys = [pair_key(a, b) for a in CATEGORIES for b in CATEGORIES if a != b]
    size = DIM + colour_size
    q = {k: rng.normal(size=(RANK, size)).astype(np.float32) for k in keys}
    p = {k: rng.normal(size=(RANK, size)).astype(np.float32) for k in keys}
    w = {c: rng.normal(size=size).astype(np.float32) for c in CATEGORIES}
    return CompatibilityModel(q, p, w, colour_size)


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
