"""The PostgreSQL vector index: one pgvector table with an HNSW cosine index, behind the same interface."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager

import numpy as np

from .index import Hit, checked_vectors

CursorFactory = Callable[[], AbstractContextManager]  # a DB-API cursor that takes %s parameters


def _literal(vector: np.ndarray) -> str:
    # pgvector reads '[x,y,...]' text; repr-precision floats keep the float32 values exact.
    return "[" + ",".join(f"{v:.9g}" for v in np.asarray(vector, np.float32).ravel()) + "]"


class PgVectorIndex:
    """Vectors in `table` (id, partition, embedding); cosine distance with HNSW, filtered by partition.

    Needs `CREATE EXTENSION vector` (pgvector 0.8+ for iterative index scans), which `ensure`
    runs. The cursor factory keeps this module free of Django: the app passes
    `django.db.connection.cursor`, a test a psycopg connection's.
    """

    def __init__(self, cursor: CursorFactory, dim: int, table: str = "stl_vector_index"):
        if not table.replace("_", "").isalnum():
            raise ValueError(f"bad table name {table!r}")
        self.cursor, self.dim, self.table = cursor, dim, table

    def ensure(self) -> None:
        with self.cursor() as cur:
            cur.execute("CREATE EXTENSION IF NOT EXISTS vector")
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table} "
                f"(id bigint PRIMARY KEY, partition text NOT NULL, embedding vector({self.dim}) NOT NULL)"
            )
            cur.execute(f"CREATE INDEX IF NOT EXISTS {self.table}_partition ON {self.table} (partition)")
            cur.execute(
                f"CREATE INDEX IF NOT EXISTS {self.table}_hnsw ON {self.table} USING hnsw (embedding vector_cosine_ops)"
            )

    def __len__(self) -> int:
        with self.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM {self.table}")
            return int(cur.fetchone()[0])

    def add(self, partition: str, ids: Sequence[int], vectors: np.ndarray) -> None:
        vectors = checked_vectors(ids, vectors, self.dim)
        rows = [(int(i), partition, _literal(v)) for i, v in zip(ids, vectors, strict=True)]
        with self.cursor() as cur:
            cur.executemany(
                f"INSERT INTO {self.table} (id, partition, embedding) VALUES (%s, %s, %s::vector) "
                "ON CONFLICT (id) DO UPDATE SET partition = EXCLUDED.partition, embedding = EXCLUDED.embedding",
                rows,
            )

    def remove(self, ids: Sequence[int]) -> None:
        with self.cursor() as cur:
            cur.execute(f"DELETE FROM {self.table} WHERE id = ANY(%s)", [[int(i) for i in ids]])

    def clear_all(self) -> None:
        with self.cursor() as cur:
            cur.execute(f"DELETE FROM {self.table}")

    def clear_partition(self, partition: str) -> None:
        with self.cursor() as cur:
            cur.execute(f"DELETE FROM {self.table} WHERE partition = %s", [partition])

    def search(self, vector: np.ndarray, k: int, partitions: Sequence[str]) -> list[Hit]:
        query = _literal(vector)
        with self.cursor() as cur:
            # With a partition filter, HNSW alone can return fewer than k rows; an iterative scan
            # keeps walking the graph until k rows pass the filter.
            cur.execute("SET hnsw.iterative_scan = relaxed_order")
            cur.execute(
                f"SELECT id, 1 - (embedding <=> %s::vector) AS score FROM {self.table} "
                "WHERE partition = ANY(%s) ORDER BY embedding <=> %s::vector LIMIT %s",
                [query, list(partitions), query, k],
            )
            hits = [Hit(int(i), float(score)) for i, score in cur.fetchall()]
        hits.sort(key=lambda h: (-h.score, h.id))  # relaxed order: re-sort the few rows returned
        return hits
