"""`manage.py train_view_classifier`: views learned from the named clusters, scored on held-out products' real views."""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from catalog.models import ProductImage
from detection import taxonomy
from training.catalog_photos import (
    SIZE,
    crop,
    grid_backbone,
    grid_features,
    imagenet_backbone,
    rows_by_product,
    training_photos,
    view_model,
)
from training.view_clusters import (
    centre_by_group,
    halves,
    held_out,
    kmeans,
    photo_key,
    row_names,
    train_softmax,
)

NAMES = Path(__file__).resolve().parents[2] / "data" / "view_names.json"


class Command(BaseCommand):
    help = (
        "Cluster each category's training photos as cluster_views does, label each photo with the view a person "
        "named its cluster (training/data/view_names.json), train a view classifier on the ImageNet features, "
        "and score it on held-out product families against the views the store gives: view accuracy, and the "
        "share of products whose chosen thumbnail is the category's preferred view. Ships it as TFLite."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--names", default=str(NAMES))
        parser.add_argument("--out", type=Path, default=Path("var/train/views"))
        parser.add_argument("--no-ship", action="store_true", help="score it, but leave weights/ as it is")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts) -> None:
        spec = json.loads(Path(opts["names"]).read_text())
        grid = grid_backbone(imagenet_backbone())
        train_x, train_y = [], []
        for category in taxonomy.CATEGORY_NAMES:
            named = spec["named"][category]
            rows = training_photos(category)
            crops = np.stack([crop(r) for r in tqdm(rows, desc=f"{category} training photos")])
            # The features and k of cluster_views' naming run, so its clusters come back as they were named.
            x = centre_by_group(grid_features(crops, grid), [r.product_id for r in rows])
            run = kmeans(x, len(named))
            keys = [photo_key(r.product.external_id, r.position) for r in rows]
            names = row_names(run, halves(x, run), keys, named, spec.get("halves", {}).get(category, {}))
            if None in names:
                unnamed = len({int(c) for c, n in zip(run.labels, names, strict=True) if n is None})
                raise CommandError(f"{category}: {unnamed} clusters hold no named exemplar; re-name them")
            train_x.append(x)
            train_y += names
        w, b, classes = train_softmax(np.concatenate(train_x), train_y)
        report = {"classes": classes, "training_photos": len(train_y), "training_labels": dict(Counter(train_y))}
        model = view_model(grid, w, b)
        report.update(self._score(model, classes, spec["preferred"]))
        if not opts["no_ship"]:
            self._ship(model, classes, spec["preferred"], report, opts["out"])
        if opts["json"]:
            self.stdout.write(json.dumps(report))
            return
        self.stdout.write(f"trained on {len(train_y)} photos named by cluster: {report['training_labels']}")
        self.stdout.write(
            f"held out: {report['held_out_products']} products, {report['held_out_photos']} photos; view accuracy "
            f"{report['view_accuracy']:.3f} on the views it knows; back photos read as {report['back_read_as']}"
        )
        for category, r in report["thumbnails"].items():
            self.stdout.write(
                f"  {category:10} thumbnail is the {r['preferred']} view: {r['correct']:.3f} "
                f"(the shop's first photo: {r['first_photo']:.3f})"
            )
        self.stdout.write(f"all categories: {report['thumbnail_correct']:.3f}")

    def _score(self, model, classes, preferred: dict[str, str]) -> dict:
        """Scored through the exported TFLite file, one product's photos per call, as the ingest worker runs it."""
        from detection.models.product_views import ViewClassifier
        from training.keras_export import export_tflite

        rows = [r for r in ProductImage.objects.select_related("product").order_by("product_id", "position")
                if held_out(r.product.external_id)]  # fmt: skip
        crops = np.stack([crop(r) for r in tqdm(rows, desc="held-out photos")])
        by_product = rows_by_product(rows)
        with tempfile.TemporaryDirectory() as tmp:
            runner = ViewClassifier(export_tflite(model, Path(tmp) / "views.tflite"), classes)
            p = np.zeros((len(rows), len(classes)), np.float32)
            for ids in by_product.values():
                p[ids] = runner.probabilities(crops[ids])
        predicted = [classes[i] for i in p.argmax(1)]
        known = [(r.view, v) for r, v in zip(rows, predicted, strict=True) if r.view in classes]
        back = Counter(v for r, v in zip(rows, predicted, strict=True) if r.view == "back")
        thumbnails, correct_all = {}, []
        for category in taxonomy.CATEGORY_NAMES:
            want = preferred[category]
            products = [ids for ids in by_product.values() if rows[ids[0]].product.category == category]
            chosen = [ids[int(np.argmax(p[ids, classes.index(want)]))] for ids in products]
            correct = [rows[i].view == want for i in chosen]
            has = [any(rows[i].view == want for i in ids) for ids in products]
            thumbnails[category] = {
                "preferred": want,
                "products": len(products),
                "with_that_view": sum(has),
                "correct": sum(correct) / max(1, sum(has)),
                "first_photo": sum(rows[ids[0]].view == want for ids, h in zip(products, has, strict=True) if h)
                / max(1, sum(has)),
            }
            correct_all += [c for c, h in zip(correct, has, strict=True) if h]
        return {
            "held_out_products": len(by_product),
            "held_out_photos": len(rows),
            "view_accuracy": sum(t == v for t, v in known) / max(1, len(known)),
            "back_read_as": dict(back),
            "thumbnails": thumbnails,
            "thumbnail_correct": sum(correct_all) / max(1, len(correct_all)),
        }

    def _ship(self, model, classes: list[str], preferred: dict[str, str], report: dict, out: Path) -> None:
        from training.keras_export import export_tflite
        from training.manifest import ship_model

        fp16 = export_tflite(model, out / "view_classifier_fp16.tflite")
        ship_model(
            "view_classifier",
            fp16,
            "view_classifier_fp16.tflite",
            {
                "kind": "classifier",
                "architecture": "MobileNetV2 (ImageNet, torchvision weights ported to Keras, frozen), last feature "
                "map pooled over a 2x2 grid, centred on the product's mean, unit length, softmax",
                "input_size": [SIZE, SIZE, 3],
                "input": "RGB float32 in [0, 1]: every photo of one product in one batch (the batch is centred), "
                "each the square crop of the whole photo",
                "output": "P(view) per photo",
                "classes": classes,
                "preferred": preferred,
                "precision": "float16",
                "training": {
                    "command": "manage.py cluster_views, then manage.py train_view_classifier",
                    "labels": "KMeans clusters (k 16 per category) of the training families' photos, each cluster "
                    "named by eye from its sheet (training/data/view_names.json); the store's views never used",
                    "photos": report["training_photos"],
                },
                "metrics": {
                    "split": "held-out product families (a fifth, by hash)",
                    "products": report["held_out_products"],
                    "view_accuracy": round(report["view_accuracy"], 4),
                    "thumbnail_correct": round(report["thumbnail_correct"], 4),
                    "thumbnail_by_category": {c: round(r["correct"], 4) for c, r in report["thumbnails"].items()},
                },
            },
        )
