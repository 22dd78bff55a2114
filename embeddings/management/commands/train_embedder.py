"""`manage.py train_embedder`: triplet-train the Siamese embedder, export fp32/fp16, evaluate, ship."""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm


class Command(BaseCommand):
    help = "Train the embedder on lookbook (scene crop, catalog photo) pairs; compare with the ImageNet baseline."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--lookbook", type=Path, default=settings.DATA_DIR / "lookbook")
        parser.add_argument("--epochs", type=int, default=6)
        parser.add_argument("--images", type=int, default=100_000, help="training pairs at most")
        parser.add_argument("--size", type=int, default=160)
        parser.add_argument("--dim", type=int, default=128)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--out", type=Path, default=settings.DATA_DIR / "train" / "embedder")
        parser.add_argument("--report", type=Path, default=settings.BASE_DIR / "reports" / "models")
        parser.add_argument("--no-ship", action="store_true")

    def handle(self, *args, **opts) -> None:
        import numpy as np

        from detection.training.manifest import ship_model
        from embeddings.evaluation import evaluate_retrieval
        from embeddings.ml.embedder import Embedder
        from embeddings.report import plot_quantization
        from embeddings.training.mobilenet_v2 import build_mobilenet_v2, load_imagenet_weights
        from embeddings.training.siamese import EmbedderTraining, lookbook_pairs, train_embedder
        from embeddings.training.tflite import export_tflite, tflite_latency_ms

        lookbook: Path = opts["lookbook"]
        cfg = EmbedderTraining(size=opts["size"], dim=opts["dim"], epochs=opts["epochs"], seed=opts["seed"])
        pairs = lookbook_pairs(lookbook, "train")[: opts["images"]]
        started = time.monotonic()
        model, history = train_embedder(
            pairs, lookbook, cfg, lambda it, total, desc: tqdm(it, total=total, desc=desc, unit="batch")
        )
        minutes = (time.monotonic() - started) / 60
        out: Path = opts["out"]
        files = {
            "float32": export_tflite(model, out / "embedder_fp32.tflite", float16=False),
            "float16": export_tflite(model, out / "embedder_fp16.tflite", float16=True),
        }
        backbone = load_imagenet_weights(build_mobilenet_v2(cfg.size))

        def imagenet(x):
            f = backbone(x, training=False).numpy()
            return f / np.linalg.norm(f, axis=1, keepdims=True)

        baseline = evaluate_retrieval(imagenet, lookbook, "test", cfg.size)
        quantization, metrics = {}, {}
        for kind, path in files.items():
            metrics[kind] = evaluate_retrieval(Embedder(path).embed_batch, lookbook, "test", cfg.size)
            quantization[kind] = {
                "megabytes": round(path.stat().st_size / 1e6, 2),
                "latency_ms": round(tflite_latency_ms(path), 2),
                "recall@1": round(metrics[kind]["recall@1"], 4),
                "recall@10": round(metrics[kind]["recall@10"], 4),
            }
        drop = quantization["float32"]["recall@10"] - quantization["float16"]["recall@10"]
        opts["report"].mkdir(parents=True, exist_ok=True)
        plot_quantization(quantization, opts["report"] / "embedder_quantization.png")
        summary = {"baseline_imagenet": baseline, "float16": metrics["float16"], "quantization": quantization}
        summary["fp16_recall_at_10_drop"] = round(drop, 4)
        self.stdout.write(json.dumps(summary, indent=2))
        if opts["no_ship"]:
            return
        entry = ship_model(
            "embedder",
            files["float16"],
            "embedder_fp16.tflite",
            {
                "kind": "embedder",
                "architecture": f"MobileNetV2 (ImageNet, ported from torchvision) + Dense 512 + Dense {cfg.dim} + L2",
                "input_size": [cfg.size, cfg.size, 3],
                "input": "RGB float32 in [0, 1]: the garment box plus 8% margin, padded to a square with grey",
                "output": f"{cfg.dim}-d unit vector; cosine similarity = dot product",
                "precision": "float16",
                "training": {
                    "command": f"manage.py train_embedder --epochs {cfg.epochs} --size {cfg.size} --dim {cfg.dim} "
                    f"--seed {cfg.seed}",
                    "data": "lookbook pairs: anchor = scene crop, positive = a catalog photo, semi-hard negatives",
                    "train_pairs": len(pairs),
                    "minutes": round(minutes, 1),
                    "history": history,
                },
                "metrics": summary,
            },
        )
        self.stdout.write(self.style.SUCCESS(f"shipped weights/{entry['file']} ({entry['bytes'] / 1e6:.1f} MB)"))
