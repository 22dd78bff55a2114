"""`benchmark_models --json` times every shipped model and names each one's input shape."""

import json
from io import StringIO

from django.core.management import call_command


def test_benchmark_reports_every_model_with_its_input_shape():
    out = StringIO()
    call_command("benchmark_models", "--json", "--runs", "2", stdout=out)
    results = json.loads(out.getvalue().strip().splitlines()[-1])
    assert set(results) == {"garment_detector", "gender_classifier", "embedder"}
    for name, figures in results.items():
        assert "error" not in figures, name
        assert figures["runs"] == 2 and 0 < figures["p50_ms"] <= figures["p95_ms"] + 1e-9
        height, width = figures["input"]
        assert height >= width > 0
