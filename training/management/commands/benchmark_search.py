"""`manage.py benchmark_search`: FAISS (exact, HNSW, IVF) and pgvector HNSW over a catalog-sized set of vectors."""

from __future__ import annotations

import gc
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from detection.models.embedder import embedder
from embeddings.faiss_index import build_partition_index, set_search_effort, top_k
from embeddings.pgvector_index import PgVectorIndex, vector_literal
from shopthelook.postgres_server import pgvector_postgres_bindir, start_postgres
from shopthelook.servers import free_port, stop
from training.memory import rss_mb
from training.plots import plot_recall_latency
from training.search_bench import (
    Measured,
    distribution_check,
    measure,
    partition_sizes,
    queries_from,
    rendered_sources,
    synthesise,
)

K = 10
TABLE = "bench_vectors"
MODEL = "bench"
BACKENDS = ("faiss-flat", "faiss-hnsw", "faiss-ivf", "pgvector-hnsw-filtered", "pgvector-hnsw-partial")
# PostgreSQL for the run: room for the whole HNSW graph while it is built (else the build spills
# and slows by an order of magnitude), and the table and index in memory as a serving host would have.
PG_SETTINGS = {
    "shared_buffers": "3GB",
    "maintenance_work_mem": "4GB",
    "max_parallel_maintenance_workers": "1",
    "effective_cache_size": "8GB",
}


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x]


def binary_copy(ids: np.ndarray, partition: str, vectors: np.ndarray) -> bytes:
    """Rows (id, partition, model, embedding) in PostgreSQL's binary COPY format, built with NumPy.

    One partition at a time, so the text columns have one length and the rows one fixed layout.
    """
    part, model, dim = partition.encode(), MODEL.encode(), vectors.shape[1]
    row = np.dtype(
        [
            ("fields", ">i2"),
            ("id_len", ">i4"),
            ("id", ">i8"),
            ("part_len", ">i4"),
            ("part", f"S{len(part)}"),
            ("model_len", ">i4"),
            ("model", f"S{len(model)}"),
            ("vec_len", ">i4"),
            ("dim", ">i2"),
            ("unused", ">i2"),
            ("vec", ">f4", (dim,)),
        ]
    )
    rows = np.zeros(len(ids), row)
    rows["fields"], rows["id_len"], rows["id"] = 4, 8, ids
    rows["part_len"], rows["part"] = len(part), part
    rows["model_len"], rows["model"] = len(model), model
    rows["vec_len"], rows["dim"], rows["vec"] = 4 + 4 * dim, dim, vectors
    return b"PGCOPY\n\xff\r\n\x00" + bytes(8) + rows.tobytes() + b"\xff\xff"


class Command(BaseCommand):
    help = (
        "Recall@10 against exact search, p50/p95 latency of a partition-filtered top-10, build time and memory, "
        "for FAISS and pgvector over catalog-sized partitions of the embedder's vectors."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--vectors", type=int, default=1_000_000)
        parser.add_argument("--products", type=int, default=600, help="rendered products the vectors are drawn around")
        parser.add_argument("--queries", type=int, default=300)
        parser.add_argument("--backends", default=",".join(BACKENDS))
        parser.add_argument("--hnsw-efforts", default="16,32,64,128", help="FAISS HNSW efSearch values")
        parser.add_argument("--ivf-efforts", default="4,8,16,32,64", help="FAISS IVF lists probed")
        parser.add_argument("--pg-efforts", default="40,100,200", help="pgvector hnsw.ef_search values")
        parser.add_argument("--build-threads", type=int, default=2)
        parser.add_argument("--out", default="reports/search")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts) -> None:
        backends = opts["backends"].split(",")
        unknown = set(backends) - set(BACKENDS)
        if unknown:
            raise CommandError(f"unknown backends {sorted(unknown)}; choose from {', '.join(BACKENDS)}")
        out = Path(opts["out"])
        out.mkdir(parents=True, exist_ok=True)
        model = embedder()
        source, held = rendered_sources(opts["products"], model.predict)
        report: dict = {"vectors": opts["vectors"], "distribution": distribution_check(source, held)}
        sizes = partition_sizes(opts["vectors"])
        report["partitions"] = sizes
        vectors = synthesise(source, sizes)
        queries = queries_from(held, opts["queries"])
        truth = self._truth(vectors, queries)
        rows: list[Measured] = []
        builds: dict[str, dict] = {}
        efforts = {
            "faiss-flat": [None],
            "faiss-hnsw": _ints(opts["hnsw_efforts"]),
            "faiss-ivf": _ints(opts["ivf_efforts"]),
        }
        for backend in (b for b in backends if b.startswith("faiss")):
            builds[backend], measured = self._faiss(backend, vectors, queries, truth, efforts[backend], opts)
            rows += measured
        pg = [b for b in backends if b.startswith("pgvector")]
        if pg:
            pg_builds, measured = self._pgvector(pg, vectors, queries, truth, _ints(opts["pg_efforts"]))
            builds.update(pg_builds)
            rows += measured
        report["builds"] = builds
        report["results"] = [r.row() for r in rows]
        (out / "benchmark.json").write_text(json.dumps(report, indent=2))
        plot = plot_recall_latency(
            report["results"], out / "recall_latency.png", f"{opts['vectors']:,} vectors, six partitions"
        )
        if opts["json"]:
            self.stdout.write(json.dumps(report))
        else:
            self._print(report, plot)

    def _truth(self, vectors: dict[str, np.ndarray], queries: list) -> list[np.ndarray]:
        """Each query's exact top-k in its partition."""
        by_partition: dict[str, list[int]] = {}
        for i, (p, _) in enumerate(queries):
            by_partition.setdefault(p, []).append(i)
        truth: list[np.ndarray] = [np.empty(0)] * len(queries)
        for p, rows in tqdm(by_partition.items(), desc="exact top-10", unit="partition"):
            index = build_partition_index("flat", vectors[p])
            _, ids = top_k(index, np.stack([queries[i][1] for i in rows]), K)
            for i, found in zip(rows, ids, strict=True):
                truth[i] = found
        return truth

    def _faiss(self, backend, vectors, queries, truth, efforts, opts) -> tuple[dict, list[Measured]]:
        kind = backend.split("-")[1]
        gc.collect()
        before = rss_mb(os.getpid())
        t0 = time.perf_counter()
        indexes = {
            p: build_partition_index(kind, v, threads=opts["build_threads"])
            for p, v in tqdm(vectors.items(), desc=f"build {backend}", unit="partition")
        }
        build = {"build_s": round(time.perf_counter() - t0, 1), "memory_mb": round(rss_mb(os.getpid()) - before)}

        def search(partition: str, query: np.ndarray) -> np.ndarray:
            return top_k(indexes[partition], query[None], K)[1][0]

        measured = []
        for effort in tqdm(efforts, desc=f"search {backend}", unit="setting"):
            for index in indexes.values():
                set_search_effort(index, effort or 0)
            measured.append(measure(backend, effort, search, queries, truth))
        indexes.clear()
        gc.collect()
        return build, measured

    def _pgvector(self, backends, vectors, queries, truth, efforts) -> tuple[dict, list[Measured]]:
        import psycopg

        try:
            bindir = pgvector_postgres_bindir()
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        workdir = Path(tempfile.mkdtemp(prefix="stl-bench-pg-"))
        proc, url = start_postgres(free_port(), workdir, bindir, PG_SETTINGS)
        builds, measured = {}, []
        try:
            with psycopg.connect(url, autocommit=True, prepare_threshold=None) as conn:
                dim = next(iter(vectors.values())).shape[1]
                index = PgVectorIndex(conn.cursor, dim, table=TABLE, model=MODEL)
                index.ensure()  # the table; its HNSW indexes are built after the load, as a bulk build is
                load_s, offset = self._load(conn, vectors)
                conn.execute(f"VACUUM ANALYZE {TABLE}")
                if "pgvector-hnsw-filtered" in backends:
                    # The alternative: one graph over every partition, a partition filter and pgvector's
                    # iterative scan to make up the rows the filter drops (the app's earlier design).
                    t0 = time.perf_counter()
                    conn.execute(f"CREATE INDEX {TABLE}_one ON {TABLE} USING hnsw (embedding vector_cosine_ops)")
                    builds["pgvector-hnsw-filtered"] = self._pg_build(conn, t0, load_s, [f"{TABLE}_one"])
                    conn.execute("SET hnsw.iterative_scan = relaxed_order")
                    sql = (
                        f"SELECT id FROM {TABLE} WHERE partition = ANY(%s) AND model = %s "
                        "ORDER BY embedding <=> %s::vector LIMIT %s"
                    )

                    def filtered(partition: str, query: np.ndarray) -> np.ndarray:
                        found = conn.execute(sql, [[partition], MODEL, vector_literal(query), K])
                        return np.array([i for (i,) in found], np.int64) - offset[partition]

                    for effort in tqdm(efforts, desc="search pgvector (one index, filtered)", unit="setting"):
                        conn.execute(f"SET hnsw.ef_search = {effort}")
                        measured.append(measure("pgvector-hnsw-filtered", effort, filtered, queries, truth))
                    conn.execute(f"DROP INDEX {TABLE}_one")
                if "pgvector-hnsw-partial" in backends:
                    # The app's: a graph per partition (PgVectorIndex.ensure_partition and .search).
                    t0 = time.perf_counter()
                    for p in tqdm(vectors, desc="build pgvector partial indexes", unit="partition"):
                        index.ensure_partition(p)
                    names = [
                        r[0]
                        for r in conn.execute(
                            "SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", [f"{TABLE}_hnsw_%"]
                        )
                    ]
                    builds["pgvector-hnsw-partial"] = self._pg_build(conn, t0, load_s, names)

                    def partial(partition: str, query: np.ndarray) -> np.ndarray:
                        hits = index.search(query, K, [partition])
                        return np.array([h.id for h in hits], np.int64) - offset[partition]

                    for effort in tqdm(efforts, desc="search pgvector (an index per partition)", unit="setting"):
                        index.ef_search = effort
                        measured.append(measure("pgvector-hnsw-partial", effort, partial, queries, truth))
        finally:
            stop(proc)
            shutil.rmtree(workdir, ignore_errors=True)
        return builds, measured

    def _load(self, conn, vectors: dict[str, np.ndarray]) -> tuple[float, dict[str, int]]:
        """COPY every partition in; returns the seconds and each partition's first id (ids run on across them)."""
        t0 = time.perf_counter()
        offset, start = {}, 0
        with conn.cursor() as cur:
            for p, v in tqdm(vectors.items(), desc="COPY into PostgreSQL", unit="partition"):
                offset[p] = start
                ids = np.arange(start, start + len(v), dtype=np.int64)
                start += len(v)
                with cur.copy(f"COPY {TABLE} (id, partition, model, embedding) FROM STDIN (FORMAT BINARY)") as copy:
                    data = binary_copy(ids, p, v)
                    for at in range(0, len(data), 1 << 24):
                        copy.write(data[at : at + (1 << 24)])
        return round(time.perf_counter() - t0, 1), offset

    def _pg_build(self, conn, t0: float, load_s: float, names: list[str]) -> dict:
        build_s = round(time.perf_counter() - t0, 1)
        size = sum(conn.execute("SELECT pg_relation_size(%s)", [n]).fetchone()[0] for n in names)
        table = conn.execute("SELECT pg_table_size(%s)", [TABLE]).fetchone()[0]
        # A worker holds no vectors: they live in PostgreSQL, shared by every process.
        return {
            "build_s": build_s,
            "load_s": load_s,
            "index_mb": round(size / 2**20),
            "table_mb": round(table / 2**20),
            "memory_mb": 0,
        }

    def _print(self, report: dict, plot: Path) -> None:
        sizes = ", ".join(f"{p} {n:,}" for p, n in report["partitions"].items())
        self.stdout.write(f"{report['vectors']:,} vectors: {sizes}")
        self.stdout.write("spread of the vectors (mean over partitions):")
        for name, s in report["distribution"].items():
            self.stdout.write(
                f"  {name:16} mean cosine {s['mean_cosine']:.3f}  nearest-neighbour cosine {s['nn_cosine']:.3f}  "
                f"effective dim {s['effective_dim']:.1f}"
            )
        self.stdout.write("builds:")
        for backend, b in report["builds"].items():
            self.stdout.write(f"  {backend:24} " + "  ".join(f"{k} {v}" for k, v in b.items()))
        self.stdout.write(f"{'backend':24} {'effort':>6} {'recall@10':>9} {'p50 ms':>8} {'p95 ms':>8} {'short':>5}")
        for r in report["results"]:
            effort = "" if r["effort"] is None else r["effort"]
            self.stdout.write(
                f"{r['backend']:24} {effort:>6} {r['recall_at_10']:9.4f} {r['p50_ms']:8.3f} {r['p95_ms']:8.3f} "
                f"{r['short_results']:5}"
            )
        self.stdout.write(f"plot: {plot}")
