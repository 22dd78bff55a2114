"""`manage.py train_article_classifier`: article types from catalog photos, scored on held-out product families."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from catalog.models import ProductImage
from detection import taxonomy
from training.article_types import ArticleTraining, ValidationSet, train_article_classifier
from training.catalog_photos import SIZE, crop, rows_by_product
from training.plots import plot_confusion
from training.view_clusters import held_out, validation_family

LEFT_OUT = ("model", "detail")  # a model shot shows a whole outfit; a detail shot only cloth (0.28 right)


class Command(BaseCommand):
    help = (
        "Fine-tune the ImageNet MobileNetV2 on the catalog's product photos (model and detail shots left out) to "
        "tell the article types apart, score it per product on held-out product families through the exported "
        "TFLite file, with a confusion matrix, optionally on garment crops of lookbook scenes, and ship it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rendered",
            type=int,
            default=0,
            help="also train on this many products of another demo catalog (rendered here; --rendered-seed)",
        )
        parser.add_argument("--rendered-seed", type=int, default=11)
        parser.add_argument("--head-epochs", type=int, default=ArticleTraining.head_epochs)
        parser.add_argument("--finetune-epochs", type=int, default=ArticleTraining.finetune_epochs)
        parser.add_argument("--finetune-blocks", type=int, default=ArticleTraining.finetune_blocks)
        parser.add_argument("--lookbook", type=Path, help="also score garment crops of this lookbook's test scenes")
        parser.add_argument("--out", type=Path, default=Path("reports/articles"))
        parser.add_argument("--no-ship", action="store_true", help="score it, but leave weights/ as it is")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts) -> None:
        rows = [
            r
            for r in ProductImage.objects.select_related("product")
            .exclude(view__in=LEFT_OUT)
            .order_by("product_id", "position")
            if r.product.article_type
        ]
        if not rows:
            raise CommandError("no catalog photos with an article type: run `make demo-catalog` first")
        test = np.array([held_out(r.product.external_id) for r in rows])
        val = np.array([validation_family(r.product.external_id) for r in rows])
        train = ~test & ~val
        crops = np.stack([crop(r) for r in tqdm(rows, desc="catalog photos", unit="photo")])
        train_x, train_y = crops[train], [r.product.article_type for r, t in zip(rows, train, strict=True) if t]
        if opts["rendered"]:
            extra_x, extra_y = _rendered(opts["rendered"], opts["rendered_seed"])
            train_x, train_y = np.concatenate([train_x, extra_x]), train_y + extra_y
        cfg = ArticleTraining(
            head_epochs=opts["head_epochs"],
            finetune_epochs=opts["finetune_epochs"],
            finetune_blocks=opts["finetune_blocks"],
        )
        validation = _validation_set([r for r, v in zip(rows, val, strict=True) if v], crops[val])
        model, classes, history = train_article_classifier(train_x, train_y, cfg, progress=_bar, validation=validation)
        out: Path = opts["out"]
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            from detection.models.article_types import ArticleClassifier
            from training.keras_export import export_tflite

            fp16 = export_tflite(model, Path(tmp) / "article_classifier_fp16.tflite")
            runner = ArticleClassifier(fp16, classes, _types_by_category(classes))
            report = _score(runner, [r for r, t in zip(rows, test, strict=True) if t], crops[test], classes, out)
            if opts["lookbook"]:
                report["lookbook_crops"] = _score_lookbook(runner, opts["lookbook"])
            kept = history[-1] if history and history[-1]["phase"] == "kept" else {}
            report.update(
                {
                    "training_photos": len(train_y),
                    "validation_products": len(validation.truth) if validation else 0,
                    "epoch_kept": kept.get("epoch"),
                    "val_accuracy": kept.get("val_accuracy"),
                    "rendered_products": opts["rendered"],
                    "history": history,
                }
            )
            (out / "articles.json").write_text(json.dumps(report, indent=2))
            if not opts["no_ship"]:
                self._ship(fp16, classes, cfg, opts, report)
        if opts["json"]:
            self.stdout.write(json.dumps(report))
            return
        if report["epoch_kept"]:
            self.stdout.write(
                f"kept fine-tuning epoch {report['epoch_kept']} of {cfg.finetune_epochs}: validation accuracy "
                f"{report['val_accuracy']:.3f} on {report['validation_products']} products of other held-out families"
            )
        self.stdout.write(
            f"{len(classes)} article types; trained on {len(train_y)} photos; held out {report['held_out_products']} "
            f"products ({report['held_out_photos']} photos): accuracy {report['product_accuracy']:.3f} per product, "
            f"{report['photo_accuracy']:.3f} per photo; confusion matrix in {out}/confusion.png"
        )
        if "lookbook_crops" in report:
            lb = report["lookbook_crops"]
            self.stdout.write(f"garment crops of lookbook scenes: {lb['accuracy']:.3f} over {lb['crops']} crops")

    def _ship(self, fp16: Path, classes: list[str], cfg: ArticleTraining, opts: dict, report: dict) -> None:
        from training.manifest import ship_model

        metrics = {
            k: report[k]
            for k in ("held_out_products", "product_accuracy", "photo_accuracy", "validation_products", "val_accuracy")
        }
        if "lookbook_crops" in report:
            metrics["lookbook_crop_accuracy"] = report["lookbook_crops"]["accuracy"]
        ship_model(
            "article_classifier",
            fp16,
            "article_classifier_fp16.tflite",
            {
                "kind": "classifier",
                "architecture": "MobileNetV2 (ImageNet, torchvision weights ported to Keras) + dropout + softmax, "
                "head trained first, then the top blocks fine-tuned",
                "input_size": [SIZE, SIZE, 3],
                "input": "RGB float32 in [0, 1]: a square crop of a catalog photo, or of a garment's box with margin",
                "output": "P(article type)",
                "classes": classes,
                "types_by_category": _types_by_category(classes),
                "precision": "float16",
                "training": {
                    "command": f"manage.py train_article_classifier --rendered {opts['rendered']} --rendered-seed "
                    f"{opts['rendered_seed']}",
                    "data": "the catalog's product photos but model and detail shots, of the families neither held out "
                    "nor kept for validation"
                    + (f", and {opts['rendered']} products of another demo catalog" if opts["rendered"] else ""),
                    "epoch_kept": report["epoch_kept"],
                    "photos": report["training_photos"],
                    **cfg.recipe(),
                },
                "metrics": {"split": "held-out product families (a fifth, by hash)", **metrics},
            },
        )


def _bar(it, total: int, desc: str):
    return tqdm(it, total=total, desc=desc, unit="batch", leave=False)


def _types_by_category(classes: list[str]) -> dict[str, list[str]]:
    category_of = {a.name: a.category for a in taxonomy.ARTICLE_TYPES}
    return {c: [a for a in classes if category_of.get(a) == c] for c in taxonomy.CATEGORY_NAMES}


def _validation_set(rows: list[ProductImage], crops: np.ndarray) -> ValidationSet | None:
    if not rows:
        return None
    types = _types_by_category(sorted({a.name for a in taxonomy.ARTICLE_TYPES}))
    return ValidationSet(
        crops=crops,
        products=[r.product_id for r in rows],
        truth={r.product_id: r.product.article_type for r in rows},
        allowed={r.product_id: tuple(types[r.product.category]) for r in rows},
    )


def _rendered(n_products: int, seed: int) -> tuple[np.ndarray, list[str]]:
    """Photos of another demo catalog: different designs, the same studio (a second shop's scrape)."""
    from detection.boxes import square_crop
    from synthetic.designs import generate_catalog
    from synthetic.views import render_view

    crops, labels = [], []
    for p in tqdm(generate_catalog(n_products, seed), desc="render another catalog", unit="product"):
        for view in p.views:
            if view not in LEFT_OUT:
                crops.append(square_crop(render_view(p, view), None, SIZE))
                labels.append(p.article_type)
    return np.stack(crops), labels


def _score(runner, rows: list[ProductImage], crops: np.ndarray, classes: list[str], out: Path) -> dict:
    """Per product: the mean of its photos' probabilities, within its category's types, against its type."""
    p = runner.probabilities(crops)
    truth, guess = [], []
    for ids in rows_by_product(rows).values():
        product = rows[ids[0]].product
        truth.append(product.article_type)
        guess.append(runner.best_within(p[ids].mean(0), product.category).article_type)
    photo_acc = float(np.mean([classes[i] == r.product.article_type for i, r in zip(p.argmax(1), rows, strict=True)]))
    # Rows for every true type: a type only held-out families have is included (it can only be missed).
    shown = sorted(set(classes) | set(truth))
    matrix = [[sum(t == a and g == c for t, g in zip(truth, guess, strict=True)) for c in shown] for a in shown]
    accuracy = float(np.mean([t == g for t, g in zip(truth, guess, strict=True)]))
    plot_confusion(matrix, tuple(shown), out / "confusion.png", f"article types, held-out products ({accuracy:.3f})")
    return {
        "classes": classes,
        "confusion_labels": shown,
        "held_out_products": len(truth),
        "held_out_photos": len(rows),
        "product_accuracy": round(accuracy, 4),
        "photo_accuracy": round(photo_acc, 4),
        "confusion": matrix,
    }


def _score_lookbook(runner, lookbook: Path) -> dict:
    """Garment boxes of the lookbook's test scenes, worn by rendered people, for products of held-out families."""
    from training.name_eval import classifier_names, evaluate_names

    scored = evaluate_names(classifier_names(runner), lookbook, "test", keep=held_out)
    return {"crops": scored["garments"], "accuracy": scored["accuracy"]}
