"""Both vector index backends, for real: FAISS in-process and pgvector in a PostgreSQL server."""

import tempfile
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import numpy as np
import psycopg
import pytest

from embeddings.faiss_index import FaissIndex
from embeddings.index import Hit, best_per_product
from embeddings.pgvector_index import PgVectorIndex
from shopthelook.postgres_server import pgvector_postgres_bindir, start_postgres
from shopthelook.servers import free_port, stop


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    workdir = Path(tempfile.mkdtemp(prefix="stl-pgvector-"))  # readable by the postgres user
    proc, url = start_postgres(free_port(), workdir, pgvector_postgres_bindir())
    try:
        yield url
    finally:
        stop(proc)


PARTITIONS = ("men/topwear", "women/topwear", "unisex/topwear", "men/footwear")


@pytest.fixture(params=["faiss", pytest.param("pgvector", marks=pytest.mark.slow)])
def new_index(request):
    """A factory of empty indexes of one backend."""
    if request.param == "faiss":
        yield FaissIndex
        return
    conn = psycopg.connect(request.getfixturevalue("pg_url"), autocommit=True)
    made = []

    def make(dim: int) -> PgVectorIndex:
        index = PgVectorIndex(conn.cursor, dim, table=f"t{len(made)}_{dim}")
        index.ensure(PARTITIONS)
        index.clear_all()
        made.append(index)
        return index

    yield make
    conn.close()


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture
def vectors() -> np.ndarray:
    return unit(np.random.default_rng(3).normal(size=(50, 16)))


def test_search_ranks_by_cosine_like_brute_force(new_index, vectors):
    index = new_index(16)
    index.add("men/topwear", list(range(100, 150)), vectors)
    query = unit((vectors[7] + 0.05)[None])[0]
    hits = index.search(query, 5, ["men/topwear"])
    expected = np.argsort(-(vectors @ query))[:5] + 100
    assert [h.id for h in hits] == expected.tolist()
    assert hits[0].score == pytest.approx(float(vectors[7] @ query), abs=1e-4)


def test_a_search_for_more_rows_than_pgvector_walks_at_once_still_answers_them_all(new_index):
    # complete the look asks for 200 products, 8 photo slots each: 1,600 rows, past hnsw.ef_search's 1,000
    many = unit(np.random.default_rng(4).normal(size=(1200, 8)))
    index = new_index(8)
    index.add("men/footwear", list(range(1200)), many)
    hits = index.search(many[0], 1100, ["men/footwear"])
    assert len(hits) == 1100 and hits[0].id == 0
    assert all(a.score >= b.score for a, b in pairwise(hits))


def test_search_stays_within_the_partitions_asked_for(new_index, vectors):
    index = new_index(16)
    index.add("men/topwear", [1, 2], vectors[:2])
    index.add("women/topwear", [3, 4], vectors[2:4])
    index.add("unisex/topwear", [5], vectors[4:5])
    assert {h.id for h in index.search(vectors[0], 10, ["women/topwear"])} == {3, 4}
    assert {h.id for h in index.search(vectors[0], 10, ["men/topwear", "unisex/topwear"])} == {1, 2, 5}
    assert index.search(vectors[0], 10, ["men/footwear"]) == []


def test_adding_an_id_again_moves_it_and_removing_forgets_it(new_index, vectors):
    index = new_index(16)
    index.add("men/topwear", [1, 2], vectors[:2])
    index.add("women/topwear", [1], vectors[5:6])  # product 1 re-scraped as women's
    assert [h.id for h in index.search(vectors[0], 10, ["men/topwear"])] == [2]
    assert index.search(vectors[5], 1, ["women/topwear"])[0].id == 1
    index.remove([1, 999])
    assert len(index) == 1
    assert index.search(vectors[5], 10, ["women/topwear"]) == []


def test_bad_vectors_are_refused(new_index, vectors):
    index = new_index(16)
    with pytest.raises(ValueError, match="3 ids for 2 vectors"):
        index.add("men/topwear", [1, 2, 3], vectors[:2])
    with pytest.raises(ValueError, match="finite"):
        index.add("men/topwear", [1], np.full((1, 16), np.nan, np.float32))


def test_photo_hits_become_products_scored_by_their_best_photo():
    # ids are product * 4 + photo slot: products 1 (ids 4-7), 2 (8-11) and 3 (12-15)
    hits = [Hit(9, 0.9), Hit(8, 0.8), Hit(5, 0.7), Hit(12, 0.95), Hit(4, 0.1)]
    assert best_per_product(hits, 2, 4) == [Hit(3, 0.95), Hit(2, 0.9)]
    assert best_per_product(hits, 5, 4) == [Hit(3, 0.95), Hit(2, 0.9), Hit(1, 0.7)]


@pytest.mark.slow
def test_each_partition_is_searched_through_its_own_hnsw_graph(pg_url, vectors):
    """A single graph with a partition filter came back short at 1M vectors (benchmark_search): each
    partition has its own partial index, and the planner takes it for that partition's search."""
    with psycopg.connect(pg_url, autocommit=True) as conn:
        index = PgVectorIndex(conn.cursor, 16, table="plans_16", model="m")
        index.ensure(PARTITIONS)
        index.add("men/topwear", list(range(50)), vectors)
        conn.execute("SET enable_sort = off")  # 50 rows would be sorted whole; which index it takes is the point
        query = "[" + ",".join(["0.25"] * 16) + "]"
        for partition in ("men/topwear", "men/footwear"):
            plan = " ".join(
                row[0]
                for row in conn.execute(
                    f"EXPLAIN SELECT id FROM plans_16 WHERE partition = '{partition}' AND model = 'm' "
                    "ORDER BY embedding <=> %s::vector LIMIT 10",
                    [query],
                )
            )
            assert "plans_16_hnsw_" in plan, plan
        names = [r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'plans_16'")]
        assert sum(n.startswith("plans_16_hnsw_") for n in names) == len(PARTITIONS)
        with pytest.raises(ValueError, match="bad partition"):
            index.search(vectors[0], 5, ["men/topwear'; DROP TABLE plans_16; --"])
