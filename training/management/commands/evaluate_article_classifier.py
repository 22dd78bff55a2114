"""`manage.py evaluate_article_classifier`: the shipped article classifier on a demo catalog no choice has seen."""

from __future__ import annotations

import json

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from detection.registry import ModelFileError
from training.catalog_photos import SIZE
from training.management.commands.train_article_classifier import LEFT_OUT

# Seeds that chose something: the demo store's catalog (7, whose families trained, validated and
# were held out) and the rendered training catalog (11). Any other seed is a fresh test.
SEEDS_SEEN = (7, 11)


class Command(BaseCommand):
    help = (
        "Score the shipped article classifier per product (its photos' probabilities averaged within its "
        "category's types) and per photo, on a demo catalog rendered from a seed that no training or choice used."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=23, help=f"the catalog's seed (not {SEEDS_SEEN})")
        parser.add_argument("--products", type=int, default=600)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts) -> None:
        from detection.boxes import square_crop
        from detection.models.article_types import article_classifier
        from synthetic.designs import generate_catalog
        from synthetic.views import render_view

        if opts["seed"] in SEEDS_SEEN:
            raise CommandError(f"seed {opts['seed']} chose the shipped model; pick another for a fresh test")
        try:
            runner = article_classifier()
        except ModelFileError as exc:
            raise CommandError(str(exc)) from exc
        right_products, right_photos, photos = 0, 0, 0
        per_category: dict[str, list[bool]] = {}
        products = generate_catalog(opts["products"], opts["seed"])
        for product in tqdm(products, desc="score an unseen catalog", unit="product"):
            crops = [square_crop(render_view(product, v), None, SIZE) for v in product.views if v not in LEFT_OUT]
            p = runner.probabilities(np.stack(crops))
            right = runner.best_within(p.mean(0), product.category).article_type == product.article_type
            right_products += right
            per_category.setdefault(product.category, []).append(right)
            right_photos += sum(runner.classes[i] == product.article_type for i in p.argmax(1))
            photos += len(crops)
        report = {
            "seed": opts["seed"],
            "products": len(products),
            "photos": photos,
            "product_accuracy": round(right_products / len(products), 4),
            "photo_accuracy": round(right_photos / photos, 4),
            "per_category": {c: round(float(np.mean(v)), 4) for c, v in sorted(per_category.items())},
        }
        if opts["json"]:
            self.stdout.write(json.dumps(report))
            return
        by_category = ", ".join(f"{c} {a:.3f}" for c, a in report["per_category"].items())
        self.stdout.write(
            f"unseen demo catalog (seed {report['seed']}), {report['products']} products, {photos} photos: "
            f"accuracy {report['product_accuracy']:.3f} per product ({by_category}), "
            f"{report['photo_accuracy']:.3f} per photo"
        )
