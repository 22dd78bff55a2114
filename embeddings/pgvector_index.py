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
    """Vectors in `table` (id, partition, model, embedding); cosine distance with HNSW, filtered by partition.

    One table serves every worker. Each row names the embedder that made it (`model`, its sha256),
    and an index reads and writes only its own model's rows, so a new embedder's vectors never mix
    with the old. Writes take the caller's transaction: a search in another one sees a partition
    as it was before the write or after it, never half-written. Needs `CREATE EXTENSION vector`
    (pgvector 0.8+ for iterative index scans), which `ensure` runs. The cursor factory keeps this
    module free of Django: the app passes `django.db.connection.cursor`, a test a psycopg one's.
    """

    def __init__(self, cursor: CursorFactory, dim: int, table: str = "stl_vector_index", model: str = ""):
        if not table.replace("_", "").isalnum():
            raise ValueError(f"bad table name {table!r}")
        self.cursor, self.dim, self.table, self.model = cursor, dim, table, model

    def ensure(self) -> None:
        with self.cursor() as cur:
            cur.execute("CREATE EXTENSION IF NOT EXISTS vector")
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table} (id bigint PRIMARY KEY, partition text NOT NULL, "
                f"model text NOT NULL DEFAULT '', embedding vector({self.dim}) NOT NULL)"
            )
            # Tables made before rows named their model: those rows match no model until rewritten.
            cur.execute(f"ALTER TABLE {self.table} ADD COLUMN IF NOT EXISTS model text NOT NULL DEFAULT ''")
            cur.execute(f"CREATE INDEX IF NOT EXISTS {self.table}_partition_model ON {self.table} (partition, model)")
            cur.execute(
                f"CREATE INDEX IF NOT EXISTS {self.table}_hnsw ON {self.table} USING hnsw (embedding vector_cosine_ops)"
            )

    def __len__(self) -> int:
        with self.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM {self.table} WHERE model = %s", [self.model])
            return int(cur.fetchone()[0])

    def owners(self, slots: int) -> int:
        """How many owners this model's rows have, where an owner's ids are owner * slots + slot."""
        with self.cursor() as cur:
            cur.execute(f"SELECT count(DISTINCT id / %s) FROM {self.table} WHERE model = %s", [slots, self.model])
            return int(cur.fetchone()[0])

    def table_exists(self) -> bool:
        with self.cursor() as cur:
            cur.execute("SELECT to_regclass(%s) IS NOT NULL", [self.table])
            return bool(cur.fetchone()[0])

    def partitions(self) -> set[str]:
        with self.cursor() as cur:
            cur.execute(f"SELECT DISTINCT partition FROM {self.table}")
            return {p for (p,) in cur.fetchall()}

    def clear_other_models(self) -> None:
        with self.cursor() as cur:
            cur.execute(f"DELETE FROM {self.table} WHERE model <> %s", [self.model])

    def add(self, partition: str, ids: Sequence[int], vectors: np.ndarray) -> None:
        vectors = checked_vectors(ids, vectors, self.dim)
        rows = [(int(i), partition, self.model, _literal(v)) for i, v in zip(ids, vectors, strict=True)]
        with self.cursor() as cur:
            cur.executemany(
                f"INSERT INTO {self.table} (id, partition, model, embedding) VALUES (%s, %s, %s, %s::vector) "
                "ON CONFLICT (id) DO UPDATE SET partition = EXCLUDED.partition, model = EXCLUDED.model, "
                "embedding = EXCLUDED.embedding",
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
                "WHERE partition = ANY(%s) AND model = %s ORDER BY embedding <=> %s::vector LIMIT %s",
                [query, list(partitions), self.model, query, k],
            )
            hits = [Hit(int(i), float(score)) for i, score in cur.fetchall()]
        hits.sort(key=lambda h: (-h.score, h.id))  # relaxed order: re-sort the few rows returned
        return hits
