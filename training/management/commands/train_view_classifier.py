"""`manage.py train_view_classifier`: views learned from the named clusters, scored on held-out products' real views."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from catalog import taxonomy
from catalog.models import ProductImage
from training.catalog_photos import crop, features, imagenet_backbone, training_photos
from training.view_clusters import held_out, kmeans, names_by_exemplar, photo_key, softmax, train_softmax

NAMES = Path(__file__).resolve().parents[2] / "data" / "view_names.json"


class Command(BaseCommand):
    help = (
        "Cluster each category's training photos as cluster_views does, label each photo with the view a person "
        "named its cluster (training/data/view_names.json), train a view classifier on the ImageNet features, "
        "and score it on held-out product families against the views the store gives: view accuracy, and the "
        "share of products whose chosen thumbnail is the category's preferred view."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--names", default=str(NAMES))
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts) -> None:
        spec = json.loads(Path(opts["names"]).read_text())
        imagenet = imagenet_backbone()
        train_x, train_y = [], []
        for category in taxonomy.CATEGORY_NAMES:
            named = spec["named"][category]
            rows = training_photos(category)
            x = features(np.stack([crop(r) for r in tqdm(rows, desc=f"{category} training photos")]), imagenet)
            run = kmeans(x, len(named))
            names = names_by_exemplar(run, [photo_key(r.product.external_id, r.position) for r in rows], named)
            if len(names) < run.k:
                raise CommandError(f"{category}: {run.k - len(names)} clusters hold no named exemplar; re-name them")
            train_x.append(x)
            train_y += [names[int(c)] for c in run.labels]
        w, b, classes = train_softmax(np.concatenate(train_x), train_y)
        report = {"classes": classes, "training_photos": len(train_y), "training_labels": dict(Counter(train_y))}
        report.update(self._score(imagenet, w, b, classes, spec["preferred"]))
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

    def _score(self, imagenet, w, b, classes, preferred: dict[str, str]) -> dict:
        rows = [r for r in ProductImage.objects.select_related("product").order_by("product_id", "position")
                if held_out(r.product.external_id)]  # fmt: skip
        x = features(np.stack([crop(r) for r in tqdm(rows, desc="held-out photos")]), imagenet)
        p = softmax(x @ w + b)
        predicted = [classes[i] for i in p.argmax(1)]
        known = [(r.view, v) for r, v in zip(rows, predicted, strict=True) if r.view in classes]
        back = Counter(v for r, v in zip(rows, predicted, strict=True) if r.view == "back")
        by_product: dict[int, list[int]] = {}
        for i, r in enumerate(rows):
            by_product.setdefault(r.product_id, []).append(i)
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
