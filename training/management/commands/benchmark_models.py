"""`manage.py benchmark_models`: run-time latency of the shipped models on one core of this machine."""

from __future__ import annotations

import json
import os
import statistics
import time

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from detection.models.embedder import Embedder
from detection.models.garments import GarmentDetector
from detection.models.gender import GenderClassifier
from detection.registry import ModelFileError, verified_model
from training.bench import percentile, photos


class Command(BaseCommand):
    help = "Latency of the shipped models per 1280x960 photo with LiteRT on one pinned core."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=50)
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **opts) -> None:
        if hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the target says
        images = photos(min(opts["runs"], 20))
        person_box = (280.0, 40.0, 1000.0, 950.0)
        garment_box = (420.0, 200.0, 860.0, 520.0)  # a crop, as the worker embeds each detected garment
        results: dict[str, dict] = {}
        for name, load, call in (
            ("garment_detector", lambda e: GarmentDetector(e.path, e.classes, threads=1), lambda m, im: m.predict(im)),
            (
                "gender_classifier",
                lambda e: GenderClassifier(e.path, threads=1),
                lambda m, im: m.predict(im, person_box),
            ),
            ("embedder", lambda e: Embedder(e.path, threads=1), lambda m, im: m.predict(im, garment_box)),
        ):
            try:
                model = load(verified_model(name))
            except ModelFileError as exc:
                results[name] = {"error": str(exc)}
                continue
            call(model, images[0])  # warm-up: the first call allocates
            times = []
            for i in tqdm(range(opts["runs"]), desc=name, unit="photo", disable=opts["json"]):
                start = time.perf_counter()
                call(model, images[i % len(images)])
                times.append((time.perf_counter() - start) * 1000)
            results[name] = {
                "photo": "1280x960 RGB, preprocessing included",
                "input": list(model.model.input_shape[1:3]),  # height, width
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(percentile(times, 95), 1),
                "mean_ms": round(statistics.fmean(times), 1),
                "runs": len(times),
            }
        if opts["json"]:
            self.stdout.write(json.dumps(results))
            return
        for name, r in results.items():
            self.stdout.write(f"{name}: " + ", ".join(f"{k}={v}" for k, v in r.items()))
