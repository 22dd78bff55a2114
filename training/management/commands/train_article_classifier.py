"""`manage.py train_article_classifier`: article types from catalog photos, scored on held-out product families."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from catalog.models import ProductImage
from training.catalog_photos import crop, features, imagenet_backbone
from training.plots import plot_confusion
from training.view_clusters import held_out, softmax, train_softmax


class Command(BaseCommand):
    help = (
        "Train a softmax over the catalog's article types on the ImageNet MobileNetV2 features of its product "
        "photos (model shots left out: they show a whole outfit), and score it per product, averaging over a "
        "product's photos, on held-out product families, with a confusion matrix."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", default="reports/articles")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts) -> None:
        rows = [
            r
            for r in ProductImage.objects.select_related("product")
            .exclude(view__in=("model", "detail"))
            .order_by("product_id", "position")
            if r.product.article_type
        ]
        if not rows:
            raise CommandError("no catalog photos with an article type: run `make demo-catalog` first")
        imagenet = imagenet_backbone()
        x = features(np.stack([crop(r) for r in tqdm(rows, desc="photos", unit="photo")]), imagenet)
        test = np.array([held_out(r.product.external_id) for r in rows])
        labels = [r.product.article_type for r in rows]
        w, b, classes = train_softmax(x[~test], [v for v, t in zip(labels, test, strict=True) if not t], epochs=600)
        p = softmax(x[test] @ w + b)
        test_rows = [r for r, t in zip(rows, test, strict=True) if t]
        by_product: dict[int, list[int]] = {}
        for i, r in enumerate(test_rows):
            by_product.setdefault(r.product_id, []).append(i)
        truth = [test_rows[ids[0]].product.article_type for ids in by_product.values()]
        guess = [classes[int(p[ids].mean(0).argmax())] for ids in by_product.values()]
        photo_acc = float(np.mean([classes[i] == test_rows[j].product.article_type for j, i in enumerate(p.argmax(1))]))
        # Rows for every true type, a type only held-out families have included (it can only be missed).
        shown = sorted(set(classes) | set(truth))
        matrix = [[sum(t == a and g == c for t, g in zip(truth, guess, strict=True)) for c in shown] for a in shown]
        out = Path(opts["out"])
        out.mkdir(parents=True, exist_ok=True)
        accuracy = float(np.mean([t == g for t, g in zip(truth, guess, strict=True)]))
        plot_confusion(
            matrix, tuple(classes), out / "confusion.png", f"article types, held-out products ({accuracy:.3f})"
        )
        report = {
            "classes": classes,
            "confusion_labels": shown,
            "training_photos": int((~test).sum()),
            "held_out_products": len(truth),
            "held_out_photos": len(test_rows),
            "product_accuracy": round(accuracy, 4),
            "photo_accuracy": round(photo_acc, 4),
            "confusion": matrix,
        }
        (out / "articles.json").write_text(json.dumps(report, indent=2))
        if opts["json"]:
            self.stdout.write(json.dumps(report))
            return
        self.stdout.write(
            f"{len(classes)} article types; trained on {report['training_photos']} photos; held out "
            f"{len(truth)} products ({len(test_rows)} photos): accuracy {accuracy:.3f} per product, "
            f"{photo_acc:.3f} per photo; confusion matrix in {out}/confusion.png"
        )
