"""The FAISS backend of the vector index: exact cosine search, partitions, replace and remove."""

import numpy as np
import pytest

from embeddings.faiss_index import FaissIndex


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture
def vectors() -> np.ndarray:
    return unit(np.random.default_rng(3).normal(size=(50, 16)))


def test_search_ranks_by_cosine_like_brute_force(vectors):
    index = FaissIndex(16)
    index.add("men/topwear", list(range(100, 150)), vectors)
    query = vectors[7] + 0.05
    hits = index.search(query, 5, ["men/topwear"])
    expected = np.argsort(-(vectors @ query))[:5] + 100
    assert [h.id for h in hits] == expected.tolist()
    assert hits[0].score == pytest.approx(float(vectors[7] @ query), abs=1e-5)


def test_search_stays_within_the_partitions_asked_for(vectors):
    index = FaissIndex(16)
    index.add("men/topwear", [1, 2], vectors[:2])
    index.add("women/topwear", [3, 4], vectors[2:4])
    index.add("unisex/topwear", [5], vectors[4:5])
    assert {h.id for h in index.search(vectors[0], 10, ["women/topwear"])} == {3, 4}
    assert {h.id for h in index.search(vectors[0], 10, ["men/topwear", "unisex/topwear"])} == {1, 2, 5}
    assert index.search(vectors[0], 10, ["men/footwear"]) == []


def test_adding_an_id_again_moves_it_and_removing_forgets_it(vectors):
    index = FaissIndex(16)
    index.add("men/topwear", [1, 2], vectors[:2])
    index.add("women/topwear", [1], vectors[5:6])  # product 1 re-scraped as women's
    assert [h.id for h in index.search(vectors[0], 10, ["men/topwear"])] == [2]
    assert index.search(vectors[5], 1, ["women/topwear"])[0].id == 1
    index.remove([1, 999])
    assert len(index) == 1
    assert index.search(vectors[5], 10, ["women/topwear"]) == []


def test_bad_vectors_are_refused(vectors):
    index = FaissIndex(16)
    with pytest.raises(ValueError, match="3 ids for 2 vectors"):
        index.add("men/topwear", [1, 2, 3], vectors[:2])
    with pytest.raises(ValueError, match="finite"):
        index.add("men/topwear", [1], np.full((1, 16), np.nan, np.float32))
