"""`manage.py train_fashion_mnist`: the report's three Fashion-MNIST classifiers and ours, on the official test set."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from training import fashion_mnist as fm
from training.plots import plot_accuracy_curves, plot_confusion


class Command(BaseCommand):
    help = (
        "Train a dense network, LeNet-5, a ResNet and our CNN on Fashion-MNIST (Debian's dataset-fashion-mnist), "
        "keep each one's best epoch on a validation tenth of the training set, score them on the official 10k "
        "test set and print the table beside the report's figures; curves and confusion matrices go to --out."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--models", nargs="+", choices=list(fm.ARCHITECTURES), default=list(fm.ARCHITECTURES))
        parser.add_argument(
            "--max-epochs",
            type=int,
            nargs="+",
            help="a ceiling for every model (default: each one's recipe); several are each trained, and the one "
            "best on validation is kept (the test set is read once, for it alone)",
        )
        parser.add_argument("--train-limit", type=int, help="train on the first N training images (a quick run)")
        parser.add_argument("--data", type=Path, default=fm.DATA_DIR)
        parser.add_argument("--out", type=Path, default=Path("reports/fashion_mnist"))
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts) -> None:
        try:
            images, labels = fm.load_split("train", opts["data"])
            test_x, test_y = fm.load_split("test", opts["data"])
        except fm.DatasetMissing as exc:
            raise CommandError(str(exc)) from exc
        train_ids, val_ids = fm.validation_split(labels)
        if opts["train_limit"]:
            train_ids = train_ids[: opts["train_limit"]]
        out: Path = opts["out"]
        out.mkdir(parents=True, exist_ok=True)
        rows = []
        ceilings = opts["max_epochs"]
        if isinstance(ceilings, int):  # call_command(max_epochs=2) passes one number
            ceilings = [ceilings]
        for name in opts["models"]:
            tried = []
            for ceiling in ceilings or [None]:
                cfg = fm.RECIPES[name] if ceiling is None else replace(fm.RECIPES[name], max_epochs=ceiling)
                with tqdm(total=cfg.max_epochs, desc=name, unit="epoch") as bar:

                    def tick(row: dict, bar=bar) -> None:
                        bar.set_postfix(loss=f"{row['loss']:.3f}", val=f"{row['val_accuracy']:.4f}")
                        bar.update()

                    model, history, epoch = fm.train(
                        name, (images[train_ids], labels[train_ids]), (images[val_ids], labels[val_ids]), cfg, tick
                    )
                tried.append((history[epoch - 1]["val_accuracy"], cfg, model, history, epoch))
            # The ceiling is chosen on validation like the epoch (a tie keeps the shorter); test is not read yet.
            _, cfg, model, history, epoch = max(tried, key=lambda t: (t[0], -t[1].max_epochs))
            model.save(out / f"{name}.keras")  # the weights of the epoch kept, to check or reuse the figures
            val_accuracy = history[epoch - 1]["val_accuracy"]
            mirrored_val = None
            if name in fm.MIRRORED:  # reading each image and its mirror: kept only if validation gains
                mirrored_val = float((fm.predict(model, images[val_ids], mirror=True) == labels[val_ids]).mean())
            mirror = mirrored_val is not None and mirrored_val > val_accuracy
            guess = fm.predict(model, test_x, mirror=mirror)
            accuracy = float((guess == test_y).mean())
            matrix = fm.confusion(test_y, guess)
            title = f"Fashion-MNIST test, {name} ({accuracy:.4f})"
            plot_confusion(matrix, fm.CLASSES, out / f"{name}_confusion.png", title)
            rows.append(
                {
                    "model": name,
                    "parameters": int(model.count_params()),
                    "epoch_kept": epoch,
                    "epochs_run": len(history),
                    "val_accuracy": round(val_accuracy, 4),
                    "val_accuracy_mirrored": None if mirrored_val is None else round(mirrored_val, 4),
                    "test_time_mirror": mirror,
                    "test_accuracy": round(accuracy, 4),
                    "published": fm.PUBLISHED.get(name),
                    "seconds_per_epoch": round(sum(h["seconds"] for h in history) / len(history), 1),
                    "recipe": cfg.recipe(),
                    "ceilings_tried": [
                        {"max_epochs": c.max_epochs, "val_accuracy": round(v, 4), "epoch_kept": e}
                        for v, c, _, _, e in tried
                    ],
                    "confusion": matrix,
                    "history": history,
                }
            )
        rows = _with_earlier_rows(rows, out / "fashion_mnist.json", len(train_ids))
        plot_accuracy_curves(
            {r["model"]: r["history"] for r in rows},
            {r["model"]: r["epoch_kept"] for r in rows},
            out / "curves.png",
            "Fashion-MNIST: accuracy per epoch",
        )
        report = {
            "train_images": len(train_ids),
            "validation_images": len(val_ids),
            "test_images": len(test_y),
            "classes": list(fm.CLASSES),
            "models": rows,
        }
        (out / "fashion_mnist.json").write_text(json.dumps(report, indent=2))
        if opts["json"]:
            self.stdout.write(json.dumps(report))
            return
        self.stdout.write(
            f"Fashion-MNIST: trained on {len(train_ids)}, epoch kept by {len(val_ids)} validation images, "
            f"scored on the official {len(test_y)} test images"
        )
        self.stdout.write(f"{'model':<8} {'params':>9} {'epoch':>7} {'val':>7} {'test':>7} {'report':>7}")
        for r in rows:
            theirs = f"{r['published']:.3f}" if r["published"] else "-"
            self.stdout.write(
                f"{r['model']:<8} {r['parameters']:>9,} {r['epoch_kept']:>3}/{r['epochs_run']:<3} "
                f"{r['val_accuracy']:>7.4f} {r['test_accuracy']:>7.4f} {theirs:>7}"
            )
        for r in rows:
            if r.get("val_accuracy_mirrored") is not None:
                verdict = "read so on test" if r["test_time_mirror"] else "not used"
                self.stdout.write(
                    f"{r['model']} with mirror images: validation {r['val_accuracy']:.4f} -> "
                    f"{r['val_accuracy_mirrored']:.4f}, {verdict}"
                )
        self.stdout.write(f"curves, confusion matrices and the models kept (.keras) in {out}/")


def _with_earlier_rows(rows: list[dict], path: Path, train_images: int) -> list[dict]:
    """The models trained now, and those of the last run in `path` on as many images that were not retrained:
    retraining one model (an hour for all four on 2 cores) keeps the others in the table."""
    try:
        earlier = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return rows
    if earlier.get("train_images") != train_images:
        return rows
    now = {r["model"]: r for r in rows}
    kept = {r["model"]: r for r in earlier.get("models", []) if r.get("model") in fm.ARCHITECTURES}
    return [now.get(name) or kept[name] for name in fm.ARCHITECTURES if name in now or name in kept]
