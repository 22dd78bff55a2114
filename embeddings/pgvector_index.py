"""The PostgreSQL vector index: one pgvector table, an HNSW cosine index per partition, behind the same interface."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager

import numpy as np

from .index import Hit, checked_vectors

CursorFactory = Callable[[], AbstractContextManager]  # a DB-API cursor that takes %s parameters

# How many graph neighbours a search keeps. Measured by `manage.py benchmark_search` over 1M vectors
# in six partitions (the default m=16 graphs): recall@10 against exact search 0.960 at p50 5.9 ms,
# p95 8.7 ms; at 400, 0.945 at p50 3.6 ms.
EF_SEARCH = 800
MAX_EF_SEARCH = 1000  # pgvector refuses a larger hnsw.ef_search; the iterative scan walks on past it to k rows
_PARTITION = re.compile(r"^[a-z0-9_]+/[a-z0-9_]+$")


def _partition_literal(partition: str) -> str:
    # Partitions are written into the SQL, not bound: the planner picks a partial index only when it
    # sees the partition's value. They come from the taxonomy; anything else is refused.
    if not _PARTITION.match(partition):
        raise ValueError(f"bad partition name {partition!r}")
    return f"'{partition}'"


def vector_literal(vector: np.ndarray) -> str:
    # pgvector reads '[x,y,...]' text; repr-precision floats keep the float32 values exact.
    return "[" + ",".join(f"{v:.9g}" for v in np.asarray(vector, np.float32).ravel()) + "]"


class PgVectorIndex:
    """Vectors in `table` (id, partition, model, embedding); cosine distance with an HNSW index per partition.

    One HNSW graph per partition (a partial index), not one over the table: a single graph with a
    partition filter returned fewer than k rows for small partitions and recall@10 below 0.91 at
    1M vectors, even with pgvector's iterative scans (`benchmark_search`, README).

    One table serves every worker. Each row names the embedder that made it (`model`, its sha256),
    and an index reads and writes only its own model's rows, so a new embedder's vectors never mix
    with the old. Writes take the caller's transaction: a search in another one sees a partition
    as it was before the write or after it, never half-written. Needs `CREATE EXTENSION vector`
    (pgvector 0.8+ for iterative index scans), which `ensure` runs. The cursor factory keeps this
    module free of Django: the app passes `django.db.connection.cursor`, a test a psycopg one's.
    """

    def __init__(
        self,
        cursor: CursorFactory,
        dim: int,
        table: str = "stl_vector_index",
        model: str = "",
        ef_search: int = EF_SEARCH,
    ):
        if not table.replace("_", "").isalnum():
            raise ValueError(f"bad table name {table!r}")
        self.cursor, self.dim, self.table, self.model, self.ef_search = cursor, dim, table, model, int(ef_search)

    def ensure(self, partitions: Sequence[str] = ()) -> None:
        """The extension, the table and an HNSW index for each of `partitions` (a search elsewhere scans)."""
        with self.cursor() as cur:
            cur.execute("CREATE EXTENSION IF NOT EXISTS vector")
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table} (id bigint PRIMARY KEY, partition text NOT NULL, "
                f"model text NOT NULL DEFAULT '', embedding vector({self.dim}) NOT NULL)"
            )
            # Tables made before rows named their model: those rows match no model until rewritten.
            cur.execute(f"ALTER TABLE {self.table} ADD COLUMN IF NOT EXISTS model text NOT NULL DEFAULT ''")
            cur.execute(f"CREATE INDEX IF NOT EXISTS {self.table}_partition_model ON {self.table} (partition, model)")
            cur.execute(f"DROP INDEX IF EXISTS {self.table}_hnsw")  # the earlier single graph (see the class)
        for partition in partitions:
            self.ensure_partition(partition)

    def ensure_partition(self, partition: str) -> None:
        """The HNSW index of one partition; building it over existing rows takes a while (see the README)."""
        name = f"{self.table}_hnsw_{hashlib.sha256(partition.encode()).hexdigest()[:12]}"
        with self.cursor() as cur:
            cur.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {self.table} USING hnsw (embedding vector_cosine_ops) "
                f"WHERE partition = {_partition_literal(partition)}"
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
        rows = [(int(i), partition, self.model, vector_literal(v)) for i, v in zip(ids, vectors, strict=True)]
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
        if not partitions:
            return []
        query = vector_literal(vector)
        # One top-k per partition, each read from that partition's own graph, in one round trip.
        branch = (
            f"(SELECT id, 1 - (embedding <=> %s::vector) AS score FROM {self.table} "
            "WHERE partition = {} AND model = %s ORDER BY embedding <=> %s::vector LIMIT %s)"
        )
        sql = " UNION ALL ".join(branch.format(_partition_literal(p)) for p in partitions)
        with self.cursor() as cur:
            # The model filter only drops rows while a new embedder's vectors replace the old: an
            # iterative scan then keeps walking the graph until k rows pass it.
            cur.execute(
                "SELECT set_config('hnsw.ef_search', %s, false), "
                "set_config('hnsw.iterative_scan', 'relaxed_order', false)",
                [str(min(MAX_EF_SEARCH, max(self.ef_search, k)))],
            )
            cur.execute(sql, [x for _ in partitions for x in (query, self.model, query, k)])
            hits = [Hit(int(i), float(score)) for i, score in cur.fetchall()]
        hits.sort(key=lambda h: (-h.score, h.id))  # relaxed order, several partitions: sort what came back
        return hits[:k]
