"""`stress_looks` on a small scale: a real fleet on 127.0.0.1, each fault struck once, nothing lost."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.slow


def test_every_fault_loses_no_look_and_no_product(tmp_path):
    out = StringIO()
    call_command(
        "stress_looks", looks=24, fault_after=2, sequential=3, scrape_per_category=25, json=True, out=str(tmp_path),
        stdout=out,
    )  # fmt: skip
    report = json.loads(out.getvalue().strip().splitlines()[-1])
    for name in ("burst", "worker-kill", "redis-restart", "postgres-restart"):
        assert report[name]["done"] == 24 and report[name]["lost"] == 0, name
    for name in ("worker-kill", "redis-restart", "postgres-restart"):
        assert report[name]["done_at_fault"] < 24 and report[name]["recovered_s"] is not None, name  # mid-burst
    load = report["scrape-load"]  # the fleet starts with 20 products a category; the scrape takes 25
    assert (load["products_before"], load["products_after"]) == (120, 150) and load["looks_during_scrape"] > 0
    kill = report["scrape-kill"]
    assert 75 <= kill["products_when_killed"] < 150 and kill["products_after_rerun"] == 150
    assert kill["duplicates"] == 0 and kill["half_written"] == 0 and kill["embedded_after_rerun"] == 150
    assert (tmp_path / "stress.json").exists()
