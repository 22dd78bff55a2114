"""`manage.py train_embedder`: triplet-train the Siamese embedder, export fp32/fp16, evaluate, ship."""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm


class Command(BaseCommand):
    help = "Train the embedder on lookbook (scene crop, catalog photo) pairs; compare with the ImageNet baseline."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", choices=("lookbook", "stl", "catalog"), default="lookbook")
        parser.add_argument("--lookbook", type=Path, default=settings.DATA_DIR / "lookbook")
        parser.add_argument("--stl-json", type=Path, help="with --source stl: scene/product/bbox records")
        parser.add_argument("--stl-images", type=Path, help="with --source stl: folder of <id>.jpg scenes and products")
        parser.add_argument(
            "--held-out", type=float, default=0.1, help="share of products kept for evaluation (stl, catalog)"
        )
        parser.add_argument("--epochs", type=int, default=6)
        parser.add_argument("--images", type=int, default=100_000, help="training pairs at most")
        parser.add_argument("--size", type=int, default=160)
        parser.add_argument("--dim", type=int, default=128)
        parser.add_argument("--finetune-blocks", type=int, default=6, help="top blocks of the backbone to train")
        parser.add_argument("--lr", type=float, default=3e-4, help="starting learning rate (cosine decay to 0)")
        parser.add_argument("--init", type=Path, help="continue from an earlier run's embedder.weights.h5")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--out", type=Path, default=settings.DATA_DIR / "train" / "embedder")
        parser.add_argument("--report", type=Path, default=settings.BASE_DIR / "reports" / "models")
        parser.add_argument("--no-ship", action="store_true")

    def handle(self, *args, **opts) -> None:
        import numpy as np

        from detection.models.embedder import Embedder
        from detection.registry import sha256_of
        from training.keras_export import export_tflite, tflite_latency_ms
        from training.manifest import ship_model
        from training.mobilenet_v2 import build_mobilenet_v2, load_imagenet_weights
        from training.plots import plot_quantization
        from training.siamese import EmbedderTraining, train_embedder

        cfg = EmbedderTraining(
            size=opts["size"],
            dim=opts["dim"],
            epochs=opts["epochs"],
            finetune_blocks=opts["finetune_blocks"],
            learning_rate=opts["lr"],
            seed=opts["seed"],
        )
        if opts["init"] and not opts["init"].is_file():
            raise CommandError(f"--init {opts['init']}: no such weights file")
        pairs, evaluate, validate, data = training_pairs(opts, cfg.size)
        pairs = pairs[: opts["images"]]
        if len({p.product for p in pairs}) < 4:
            raise CommandError(f"{len(pairs)} training pairs: too few products to form triplets")
        started = time.monotonic()
        model, history = train_embedder(
            pairs, cfg, lambda it, total, desc: tqdm(it, total=total, desc=desc, unit="batch"), opts["init"], validate
        )
        minutes = (time.monotonic() - started) / 60
        out: Path = opts["out"]
        out.mkdir(parents=True, exist_ok=True)
        model.save_weights(out / "embedder.weights.h5")  # what --init continues from
        files = {
            "float32": export_tflite(model, out / "embedder_fp32.tflite", float16=False),
            "float16": export_tflite(model, out / "embedder_fp16.tflite", float16=True),
        }
        backbone = load_imagenet_weights(build_mobilenet_v2(cfg.size))

        def imagenet(x):
            f = backbone(x, training=False).numpy()
            return f / np.linalg.norm(f, axis=1, keepdims=True)

        baseline = evaluate(imagenet)
        quantization, metrics = {}, {}
        for kind, path in files.items():
            metrics[kind] = evaluate(Embedder(path).embed_batch)
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
                    "command": f"manage.py train_embedder --source {opts['source']} --epochs {cfg.epochs} "
                    f"--size {cfg.size} --dim {cfg.dim} --finetune-blocks {cfg.finetune_blocks} "
                    f"--lr {cfg.learning_rate} --seed {cfg.seed}" + (f" --init {opts['init']}" if opts["init"] else ""),
                    "data": data,
                    "train_pairs": len(pairs),
                    "minutes": round(minutes, 1),
                    "history": history,
                },
                "metrics": summary,
                # evaluate_models re-measures the fp16 drop against this file while it is still there.
                "float32_export": {"path": str(files["float32"]), "sha256": sha256_of(files["float32"])},
            },
        )
        self.stdout.write(self.style.SUCCESS(f"shipped weights/{entry['file']} ({entry['bytes'] / 1e6:.1f} MB)"))
        if opts["source"] == "lookbook":
            # The exact-match threshold belongs to the model: a new one needs its own.
            call_command("calibrate_exact_match", lookbook=opts["lookbook"], stdout=self.stdout)


def training_pairs(opts: dict, size: int):
    """(training pairs, evaluate(embed) -> test metrics, validate(embed) -> Recall@1 or None, a description
    of the data) for the chosen source."""
    from training.pair_sources import read_records, split_by_product, stl_pairs
    from training.retrieval_eval import evaluate_pairs, evaluate_retrieval
    from training.siamese import lookbook_pairs

    source = opts["source"]
    if source == "lookbook":
        lookbook = opts["lookbook"]
        if not (lookbook / "pairs" / "train.jsonl").exists():
            raise CommandError(f"{lookbook} has no lookbook: run `manage.py build_lookbook` first")
        data = "lookbook pairs: anchor = scene crop, positive = a catalog photo, semi-hard negatives"
        return (
            lookbook_pairs(lookbook, "train"),
            lambda embed: evaluate_retrieval(embed, lookbook, "test", size),
            lambda embed: evaluate_retrieval(embed, lookbook, "val", size)["recall@1"],  # picks the epoch
            data,
        )
    if source == "stl":
        if not opts["stl_json"] or not opts["stl_images"]:
            raise CommandError("--source stl needs --stl-json and --stl-images")
        pairs, skipped = stl_pairs(read_records(opts["stl_json"]), opts["stl_images"])
        data = f"Shop The Look records {opts['stl_json'].name}: {len(pairs)} pairs, {skipped} skipped"
    else:
        pairs, skipped = catalog_pairs()
        data = f"catalog model shots boxed by the shipped detector: {len(pairs)} pairs, {skipped} skipped"
    train, held = split_by_product(pairs, opts["held_out"], opts["seed"])
    if not held:
        raise CommandError("no pairs to train on")
    return train, lambda embed: evaluate_pairs(embed, held, size), None, data


def catalog_pairs():
    """The scraped catalog: each model shot, the product boxed in it, against the product's other photos."""
    from PIL import Image

    from catalog.models import Product
    from detection.models.garments import garment_detector
    from training.pair_sources import ModelShot, model_shot_pairs

    detector = garment_detector()

    def find_box(path: Path, category: str):
        with Image.open(path) as image:
            rgb = image.convert("RGB")
        found = [b for b in detector.predict(rgb) if b.label == category]
        if not found:
            return None
        b = max(found, key=lambda b: b.score)
        return (b.x1 / rgb.width, b.y1 / rgb.height, b.x2 / rgb.width, b.y2 / rgb.height)

    shots = []
    for product in Product.objects.filter(images__view="model").distinct().prefetch_related("images"):
        images = list(product.images.all())
        for shot in (i for i in images if i.view == "model"):
            others = tuple(Path(i.image.path) for i in images if i.view != "model")
            shots.append(ModelShot(str(product.pk), product.gender, product.category, Path(shot.image.path), others))
    return model_shot_pairs(tqdm(shots, desc="box model shots", unit="photo"), find_box)
