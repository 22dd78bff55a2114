"""The in-process vector index: one exact inner-product FAISS index per partition (the only faiss import)."""

from __future__ import annotations

from collections.abc import Sequence

import faiss
import numpy as np

from .index import Hit, checked_vectors

# Exact search over a catalog's partition is a few hundred microseconds; FAISS's OpenMP threads
# would only contend with the models for the worker's cores (measured: BLAS threads spinning slowed them).
faiss.omp_set_num_threads(1)


class FaissIndex:
    """Exact cosine search (vectors are unit length, so inner product is cosine)."""

    def __init__(self, dim: int):
        self.dim = dim
        self._parts: dict[str, faiss.IndexIDMap2] = {}
        self._partition_of: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._partition_of)

    def add(self, partition: str, ids: Sequence[int], vectors: np.ndarray) -> None:
        vectors = checked_vectors(ids, vectors, self.dim)
        self.remove(ids)
        if partition not in self._parts:
            self._parts[partition] = faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))
        self._parts[partition].add_with_ids(vectors, np.asarray(ids, dtype=np.int64))
        self._partition_of.update(dict.fromkeys(map(int, ids), partition))

    def remove(self, ids: Sequence[int]) -> None:
        by_partition: dict[str, list[int]] = {}
        for i in map(int, ids):
            partition = self._partition_of.pop(i, None)
            if partition is not None:
                by_partition.setdefault(partition, []).append(i)
        for partition, gone in by_partition.items():
            self._parts[partition].remove_ids(np.asarray(gone, dtype=np.int64))

    def clear_partition(self, partition: str) -> None:
        self._parts.pop(partition, None)
        self._partition_of = {i: p for i, p in self._partition_of.items() if p != partition}

    def search(self, vector: np.ndarray, k: int, partitions: Sequence[str]) -> list[Hit]:
        query = checked_vectors([0], vector, self.dim)
        hits: list[Hit] = []
        for partition in partitions:
            index = self._parts.get(partition)
            if index is None or index.ntotal == 0:
                continue
            scores, ids = index.search(query, min(k, index.ntotal))
            hits += [Hit(int(i), float(s)) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0]
        hits.sort(key=lambda h: (-h.score, h.id))
        return hits[:k]


def build_partition_index(kind: str, vectors: np.ndarray, threads: int = 1, hnsw_m: int = 32) -> faiss.Index:
    """One partition's inner-product index of `kind` (flat, hnsw or ivf) over unit `vectors`, ids 0..N-1.

    HNSW links every vector to `hnsw_m` neighbours per layer; IVF clusters the vectors into about
    4 sqrt(N) lists, trained on the vectors themselves. `threads` is for the build only.
    """
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    dim = vectors.shape[1]
    previous = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(threads)
    try:
        if kind == "flat":
            index = faiss.IndexFlatIP(dim)
        elif kind == "hnsw":
            index = faiss.IndexHNSWFlat(dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 80
        elif kind == "ivf":
            lists = max(1, int(4 * np.sqrt(len(vectors))))
            index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, lists, faiss.METRIC_INNER_PRODUCT)
            index.train(vectors[np.random.default_rng(0).permutation(len(vectors))[: 64 * lists]])
        else:
            raise ValueError(f"unknown index kind {kind!r}")
        index.add(vectors)
    finally:
        faiss.omp_set_num_threads(previous)
    return index


def set_search_effort(index: faiss.Index, effort: int) -> None:
    """How hard an approximate index looks: HNSW's efSearch, or the IVF lists probed. Flat ignores it."""
    if isinstance(index, faiss.IndexHNSW):
        index.hnsw.efSearch = effort
    elif isinstance(index, faiss.IndexIVF):
        index.nprobe = effort


def top_k(index: faiss.Index, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Scores and ids (-1 where fewer than k) of each query's k nearest stored vectors."""
    return index.search(np.ascontiguousarray(queries, dtype=np.float32), k)
