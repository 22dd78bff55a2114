"""The search benchmark: catalog-shaped vectors from the real embedder, FAISS's approximate indexes, and a small run."""

import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command

from detection.models.embedder import embedder
from embeddings.faiss_index import build_partition_index, set_search_effort, top_k
from synthetic.designs import generate_catalog
from training.search_bench import (
    distribution_check,
    partition_sizes,
    recall_at_k,
    rendered_sources,
    split_by_family,
    synthesise,
)


@pytest.fixture(scope="module")
def rendered():
    return rendered_sources(96, embedder().predict, progress=False)


def test_partitions_are_sized_like_a_real_catalog():
    sizes = partition_sizes(1_000_000)
    assert sum(sizes.values()) == 1_000_000 and len(sizes) == 6
    assert sizes["men/topwear"] > sizes["women/topwear"] > sizes["men/footwear"] > sizes["men/bottomwear"]
    assert 5 < max(sizes.values()) / min(sizes.values()) < 7


def test_the_split_keeps_every_family_on_one_side_and_every_partition_on_both():
    source, held = split_by_family(generate_catalog(60, seed=3))
    assert not {p.family for p in source} & {p.family for p in held}
    parts = {(p.gender, p.category) for p in source}
    assert parts == {(p.gender, p.category) for p in held} and len(parts) == 6


def test_synthetic_vectors_lie_like_the_embedders_not_like_random_ones(rendered):
    source, held = rendered
    vectors = synthesise(source, {p: 500 for p in source.clean})
    assert all(v.shape == (500, 128) for v in vectors.values())
    assert np.allclose(np.linalg.norm(np.concatenate(list(vectors.values())), axis=1), 1, atol=1e-5)
    check = distribution_check(source, held)
    real, synthetic, uniform = check["real (held out)"], check["synthetic"], check["uniform random"]
    for key in ("nn_cosine", "effective_dim"):
        assert abs(synthetic[key] - real[key]) < abs(uniform[key] - real[key]) / 3, key
    assert abs(synthetic["mean_cosine"] - real["mean_cosine"]) < 0.1


def test_approximate_indexes_find_nearly_all_of_the_exact_top_10(rendered):
    source, held = rendered
    vectors = synthesise(source, {"men/topwear": 20_000})["men/topwear"]
    queries = np.stack(held.augmented["men/topwear"][:40])
    _, truth = top_k(build_partition_index("flat", vectors), queries, 10)
    for kind, low, high in (("hnsw", 8, 256), ("ivf", 1, 32)):
        index = build_partition_index(kind, vectors)
        recalls = []
        for effort in (low, high):
            set_search_effort(index, effort)
            _, found = top_k(index, queries, 10)
            recalls.append(np.mean([recall_at_k(f, t) for f, t in zip(found, truth, strict=True)]))
        assert recalls[1] >= 0.9 and recalls[1] > recalls[0], (kind, recalls)


def test_recall_counts_missing_rows_as_misses():
    assert recall_at_k(np.array([1, 2, -1]), np.array([1, 2, 3])) == pytest.approx(2 / 3)


@pytest.mark.slow
def test_a_small_run_measures_every_backend_against_exact_search(tmp_path):
    out = StringIO()
    call_command(
        "benchmark_search", vectors=6000, products=36, queries=30, json=True, out=str(tmp_path),
        hnsw_efforts="128", ivf_efforts="16", pg_efforts="400", stdout=out,
    )  # fmt: skip
    report = json.loads(out.getvalue().strip().splitlines()[-1])
    rows = {r["backend"]: r for r in report["results"]}
    assert set(rows) == {"faiss-flat", "faiss-hnsw", "faiss-ivf", "pgvector-hnsw-filtered", "pgvector-hnsw-partial"}
    assert rows["faiss-flat"]["recall_at_10"] == 1.0
    for backend, row in rows.items():
        assert row["recall_at_10"] >= 0.9 and row["short_results"] == 0, backend
        assert 0 < row["p50_ms"] <= row["p95_ms"], backend
    assert report["builds"]["pgvector-hnsw-partial"]["index_mb"] > 0
    assert (tmp_path / "recall_latency.png").stat().st_size > 10_000
