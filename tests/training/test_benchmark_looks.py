"""`benchmark_looks` on a small scale: real looks through its own Redis and worker, timed, and cleaned up after."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.product_vectors import embed_products
from detection.registry import WEIGHTS_DIR
from shopthelook.models import Look
from tests.shopthelook.demo_catalog import demo_products, ingest

pytestmark = pytest.mark.slow


def test_an_empty_catalog_is_refused(db):
    with pytest.raises(CommandError, match="no product vectors"):
        call_command("benchmark_looks", photos=1, stdout=StringIO())


def test_each_look_is_timed_through_a_real_worker(transactional_db, settings, media_root, monkeypatch):
    # given a small embedded catalog, and the worker the command starts pointed at the test's database and media
    stored = ingest(demo_products()[:36])
    embed_products([p.pk for p in stored.values()])
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{settings.DATABASES['default']['NAME']}")
    monkeypatch.setenv("DJANGO_MEDIA_ROOT", str(media_root))
    # when two looks are timed after one of warm-up, and then the blog's pipeline on the same photos
    out = StringIO()
    call_command("benchmark_looks", photos=2, warmup=1, json=True, against="blog", stdout=out)
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    # then the figures are those of the looks run: two counted, each stage timed, and none left behind
    assert result["photos"] == 2 and result["photo_size"] == [1280, 960]
    total = result["upload_to_done_ms"]
    assert 0 < total["p50"] <= total["p95"]
    assert {"load", "detect", "embed", "search"} <= set(result["stages_ms"])
    stages = result["stages_ms"]
    assert all(0 <= s["p50"] <= s["p95"] <= total["p95"] for s in stages.values())
    # A stage that ran in every look takes time in each; "waited" is 0 when the second thread finished first,
    # and the faces are read only where the figure is not sure.
    assert all(stages[s]["p50"] > 0 for s in ("load", "detect", "embed", "search"))
    assert result["worker_rss_mb"] > 50 and result["items_per_look"] > 0
    assert 0 < result["worker_parent_rss_mb"] < result["worker_rss_mb"] / 2  # the pool child holds the models
    assert result["catalog_vectors"] >= len(stored)
    assert not Look.objects.exists()  # the benchmark's looks are deleted unless --keep
    # the worker says which models it loaded: the files the look needs, with their sizes
    loaded = {m["name"]: m for m in result["worker_models"]}
    assert {"garment_detector", "embedder", "pose_landmarks", "garment_namer"} <= set(loaded)
    assert loaded["embedder"]["bytes"] == (WEIGHTS_DIR / loaded["embedder"]["file"]).stat().st_size
    assert result["model_mb"] == round(sum(m["bytes"] for m in loaded.values()) / 1e6, 1)
    # the blog's pipeline ran the same photos in its own process: two ResNet50s, so far more memory and files
    blog = result["blog"]
    assert blog["photos"] == 2 and 0 < blog["compute_ms"]["p50"] <= blog["compute_ms"]["p95"]
    assert set(blog["stages_ms"]) == {"decode", "detect", "gender", "embed", "search"}
    assert blog["model_mb"] > 250 and blog["rss_mb"] > 500
    assert result["ratio"]["p50"] == round(blog["compute_ms"]["p50"] / total["p50"], 2)
