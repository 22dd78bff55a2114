"""`manage.py train_detector`: train the YOLOv5u garment detector on the lookbook, export, ship."""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from detection.registry import read_manifest
from detection.taxonomy import DETECTOR_CLASSES
from synthetic.lookbook import LookbookConfig, build_lookbook


class Command(BaseCommand):
    help = "Train the garment detector (YOLOv5n u-head from the yaml), export TFLite fp16, evaluate, ship."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--lookbook", type=Path, default=settings.DATA_DIR / "lookbook")
        parser.add_argument("--work-dir", type=Path, default=settings.DATA_DIR / "train" / "detector")
        parser.add_argument("--epochs", type=int, default=40)
        parser.add_argument("--images", type=int, default=2400, help="training scenes (built if missing)")
        parser.add_argument("--imgsz", type=int, default=416)
        parser.add_argument("--batch", type=int, default=32)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--device", default=None, help="cpu, or a CUDA index; default: GPU if present")
        parser.add_argument("--init", type=Path, help="continue from this .pt checkpoint instead of from scratch")
        parser.add_argument("--no-ship", action="store_true", help="train and evaluate, leave weights/ alone")

    def handle(self, *args, **opts) -> None:
        from training.detector import DetectorTraining, export_tflite, train_detector
        from training.detector_eval import evaluate_detector
        from training.manifest import ship_model

        lookbook: Path = opts["lookbook"]
        data_yaml = lookbook / "yolo" / "data.yaml"
        if not data_yaml.exists():
            self.stdout.write(f"building the lookbook in {lookbook}")
            test = max(20, opts["images"] // 4)
            config = LookbookConfig({"train": opts["images"], "val": max(10, opts["images"] // 8), "test": test})
            build_lookbook(lookbook, config, workers=2)
        available = len(list((lookbook / "yolo" / "images" / "train").glob("*.jpg")))
        cfg = DetectorTraining(
            data_yaml=data_yaml,
            work_dir=opts["work_dir"],
            epochs=opts["epochs"],
            imgsz=opts["imgsz"],
            batch=opts["batch"],
            seed=opts["seed"],
            fraction=min(1.0, opts["images"] / max(available, 1)),
            device=opts["device"],
            init=opts["init"],
        )
        previous = read_manifest().get("models", {}).get("garment_detector", {}) if opts["init"] else {}
        started = time.monotonic()
        best = train_detector(cfg)
        minutes = (time.monotonic() - started) / 60
        files = export_tflite(best, cfg.imgsz, cfg.work_dir / "export")
        metrics = evaluate_detector(files["float16"], lookbook, "test")
        self.stdout.write(json.dumps(metrics, indent=2))
        if opts["no_ship"]:
            return
        summary = json.loads((lookbook / "summary.json").read_text())
        entry = ship_model(
            "garment_detector",
            files["float16"],
            "garment_detector_fp16.tflite",
            {
                "kind": "detector",
                "architecture": "YOLOv5n, anchor-free v5u head (ultralytics yolov5n.yaml), no downloaded weights",
                "input_size": [cfg.imgsz, cfg.imgsz, 3],
                "input": "RGB float32 in [0, 1], letterboxed with grey 114",
                "classes": list(DETECTOR_CLASSES),
                "precision": "float16",
                "training": {
                    "command": f"manage.py train_detector --epochs {cfg.epochs} --images {opts['images']} "
                    f"--imgsz {cfg.imgsz} --batch {cfg.batch} --seed {cfg.seed}"
                    + (f" --init {opts['init']}" if opts["init"] else ""),
                    # A continued run keeps the recipe of the run it continued, so the chain can be replayed.
                    "continued_from": {k: previous.get(k) for k in ("training", "metrics", "sha256")}
                    if previous
                    else None,
                    "data": "synthetic lookbook (manage.py build_lookbook)",
                    "lookbook": summary["config"],
                    "train_images": round(available * cfg.fraction),
                    "device": cfg.device or "auto",
                    "minutes": round(minutes, 1),
                },
                "metrics": metrics,
            },
        )
        self.stdout.write(self.style.SUCCESS(f"shipped weights/{entry['file']} ({entry['bytes'] / 1e6:.1f} MB)"))
