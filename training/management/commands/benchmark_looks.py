"""`manage.py benchmark_looks`: upload-to-done latency of real looks through Redis and a Celery worker."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from tqdm import tqdm

from catalog.models import ProductEmbedding
from shopthelook.looks import create_look
from shopthelook.models import Look
from shopthelook.servers import free_port, point_celery_at, start_celery_worker, start_redis, stop
from shopthelook.tasks import WORKER_MODELS, loaded_models
from synthetic.designs import generate_catalog
from training.bench import percentile, photos
from training.memory import pss_mb, rss_mb

# The pipeline's stages in the order they start (see shopthelook.pipeline and detection.scene). "people",
# "gender" and "faces" run on a second thread beside the others; "waited" is the time spent waiting for it.
STAGES = (
    "queue",
    "load",
    "people",
    "detect",
    "waited",
    "pose",
    "regions",
    "gender",
    "faces",
    "embed",
    "colours",
    "name",
    "search",
    "complete",
    "store",
)


def summary(values: list[float]) -> dict[str, float]:
    return {"p50": round(percentile(values, 50), 1), "p95": round(percentile(values, 95), 1)}


class Command(BaseCommand):
    help = "Post N 1280x960 photos as looks, one at a time, and report p50/p95 latency per stage and worker RSS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--photos", type=int, default=30)
        parser.add_argument("--warmup", type=int, default=3, help="looks run first and not counted")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--keep", action="store_true", help="keep the benchmark's looks (deleted by default)")
        parser.add_argument(
            "--against",
            choices=("blog",),
            help="then time the blog's pipeline (training.blog_pipeline) on the same photos, in a process of its own",
        )

    def handle(self, *args, **opts) -> None:
        if not ProductEmbedding.objects.exists():
            raise CommandError("the catalog has no product vectors: run `make run` or `manage.py rebuild_index` first")
        products = generate_catalog(settings.DEMO_STORE_PRODUCTS, settings.DEMO_STORE_SEED)
        jpegs = []
        for image in photos(opts["photos"] + opts["warmup"], products=products, seed=7070):
            out = io.BytesIO()
            image.save(out, "JPEG", quality=90)
            jpegs.append(out.getvalue())

        workdir = Path(tempfile.mkdtemp(prefix="stl-bench-"))
        port = free_port()
        redis_proc = start_redis(port, workdir)
        redis_url = f"redis://127.0.0.1:{port}/0"
        old_broker = point_celery_at(redis_url)
        worker = start_celery_worker({"REDIS_URL": redis_url}, concurrency=1, log_level="WARNING")
        looks: list[Look] = []
        try:
            totals, stages = [], {s: [] for s in STAGES}
            for i, data in enumerate(tqdm(jpegs, desc="looks", unit="look", disable=opts["json"])):
                start = time.perf_counter()
                look = create_look(data, client="benchmark")  # the upload view's own path
                looks.append(look)
                look = self._wait(look, worker)
                elapsed = (time.perf_counter() - start) * 1000
                if i < opts["warmup"]:
                    continue  # model loading and the first index build are not a shopper's wait
                totals.append(elapsed)
                for stage in STAGES:
                    stages[stage].append(look.timings.get(stage, 0.0))
            result = {
                "photos": len(totals),
                "photo_size": [1280, 960],
                "catalog_vectors": ProductEmbedding.objects.count(),
                "upload_to_done_ms": summary(totals),
                "stages_ms": {s: summary(v) for s, v in stages.items() if any(v)},
                "worker_rss_mb": round(rss_mb(worker.pid), 1),
                "worker_parent_rss_mb": round(rss_mb(worker.pid, children=False), 1),
                "worker_pss_mb": round(pss_mb(worker.pid), 1),
                "items_per_look": round(sum(look.items.count() for look in looks) / len(looks), 2),
                "worker_models": self._worker_models(worker),
            }
            result["model_mb"] = round(sum(m["bytes"] for m in result["worker_models"]) / 1e6, 1)
        finally:
            stop(worker)
            stop(redis_proc)
            point_celery_at(old_broker)
            if not opts["keep"]:
                Look.objects.filter(pk__in=[look.pk for look in looks]).delete()
                for look in looks:
                    look.photo.delete(save=False)
        if opts["against"] == "blog":  # after ours, so the two never share the cores
            result["blog"] = blog_figures(jpegs, opts["warmup"])
            ours, blog = result["upload_to_done_ms"], result["blog"]["compute_ms"]
            result["ratio"] = {q: round(blog[q] / max(ours[q], 1e-9), 2) for q in ("p50", "p95")}
        if opts["json"]:
            self.stdout.write(json.dumps(result))
            return
        self._print(result)

    def _print(self, result: dict) -> None:
        self.stdout.write(f"{result['photos']} looks of 1280x960, one at a time, through Redis and one worker process")
        self.stdout.write(
            f"upload to done  p50 {result['upload_to_done_ms']['p50']} ms  p95 {result['upload_to_done_ms']['p95']} ms"
        )
        for stage, figures in result["stages_ms"].items():
            self.stdout.write(f"  {stage:<8} p50 {figures['p50']:>7} ms  p95 {figures['p95']:>7} ms")
        self.stdout.write(
            f"worker RSS after warm-up: {result['worker_rss_mb']} MB (the parent's {result['worker_parent_rss_mb']} MB "
            f"and its pool child's summed; shared pages split between them: {result['worker_pss_mb']} MB)"
        )
        self.stdout.write(f"models the worker loaded: {result['model_mb']} MB in all")
        for m in result["worker_models"]:
            self.stdout.write(f"  {m['name']:<22} {m['file']:<34} {m['bytes'] / 1e6:>6.1f} MB")
        if "blog" not in result:
            return
        blog = result["blog"]
        self.stdout.write(
            f"the blog's pipeline on the same {blog['photos']} photos, compute only (no queue, no database):"
        )
        self.stdout.write(f"  compute  p50 {blog['compute_ms']['p50']:>7} ms  p95 {blog['compute_ms']['p95']:>7} ms")
        for stage, figures in blog["stages_ms"].items():
            self.stdout.write(f"  {stage:<8} p50 {figures['p50']:>7} ms  p95 {figures['p95']:>7} ms")
        self.stdout.write(f"  RSS {blog['rss_mb']} MB, model files {blog['model_mb']} MB")
        ratio = result["ratio"]
        memory, files = blog["rss_mb"] / result["worker_rss_mb"], blog["model_mb"] / result["model_mb"]
        self.stdout.write(
            f"the blog's compute over our upload to done: p50 {ratio['p50']}x, p95 {ratio['p95']}x "
            f"(memory {memory:.1f}x, model files {files:.1f}x)"
        )

    @staticmethod
    def _worker_models(worker, timeout: float = 20.0) -> list[dict]:
        """The models the worker's process has loaded (it writes them to DATA_DIR when asked)."""
        out = Path(settings.DATA_DIR) / WORKER_MODELS
        out.unlink(missing_ok=True)
        loaded_models.delay()
        deadline = time.monotonic() + timeout
        while not out.exists():
            if time.monotonic() > deadline or worker.poll() is not None:
                raise CommandError("the worker did not say which models it loaded")
            time.sleep(0.05)
        return json.loads(out.read_text())["models"]

    @staticmethod
    def _wait(look: Look, worker, timeout: float = 120.0) -> Look:
        """The look once done. Polls its status alone, as cheaply as it can: a shopper's browser polls from
        another machine, and a poll that loads the whole row every 2 ms took a third of the second core
        from the worker (the pose detector ran at half speed beside the garment detector)."""
        deadline = time.monotonic() + timeout
        # One raw query on an open cursor: 0.05 ms, where the ORM's took 0.28 ms of the same core.
        pk = Look._meta.pk.get_db_prep_value(look.pk, connection)
        sql = f"SELECT status FROM {Look._meta.db_table} WHERE id = %s"
        cursor = connection.cursor()
        while time.monotonic() < deadline:
            cursor.execute(sql, [pk])
            now = cursor.fetchone()[0]
            if now == Look.Status.DONE:
                look.refresh_from_db()
                return look
            if now == Look.Status.FAILED:
                look.refresh_from_db()
                raise CommandError(f"look {look.pk} failed: {look.error}")
            if worker.poll() is not None:
                raise CommandError("the Celery worker exited")
            time.sleep(0.003)
        raise CommandError(f"look {look.pk} did not finish within {timeout:.0f} s")


def blog_figures(jpegs: list[bytes], warmup: int) -> dict:
    """The blog's pipeline timed on `jpegs` in a process of its own (so its memory is its own): per stage
    and in all, p50/p95 over the photos after `warmup`, its RSS and its model files."""
    with tempfile.TemporaryDirectory(prefix="stl-blog-") as folder:
        for n, data in enumerate(jpegs):
            (Path(folder) / f"{n:04d}.jpg").write_bytes(data)
        command = [sys.executable, "-m", "training.blog_pipeline", folder, "--warmup", str(warmup)]
        command += ["--models", str(Path(settings.DATA_DIR) / "blog-pipeline")]
        done = subprocess.run(command, capture_output=True, text=True, cwd=settings.BASE_DIR, check=False)
    if done.returncode:
        raise CommandError(f"the blog's pipeline failed: {done.stderr.strip().splitlines()[-1:]}")
    raw = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "photos": raw["photos"],
        "compute_ms": summary(raw["total_ms"]),
        "stages_ms": {s: summary(v) for s, v in raw["stages_ms"].items()},
        "rss_mb": raw["rss_mb"],
        "model_mb": round(sum(raw["model_bytes"].values()) / 1e6, 1),
        "threads": raw["threads"],
    }
