"""`manage.py train_gender`: train the gender classifier, export TFLite fp16, evaluate, ship."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

AUGMENTATION = (
    "mirror, box jitter 5%, hue turned at random (70%), grey (15%), white balance and exposure; "
    "label smoothing 0.05, cosine-decayed learning rate, the best validation epoch kept"
)


class Command(BaseCommand):
    help = "Train the gender classifier on the lookbook, a labelled folder (men/, women/) or catalog model shots."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", choices=("lookbook", "folder", "catalog"), default="lookbook")
        parser.add_argument("--folder", type=Path, help="with --source folder: holds men/ and women/")
        parser.add_argument("--lookbook", type=Path, default=settings.DATA_DIR / "lookbook")
        parser.add_argument("--epochs", type=int, default=6, help="epochs of the head on the frozen backbone")
        parser.add_argument("--finetune-epochs", type=int, default=2)
        parser.add_argument("--finetune-blocks", type=int, default=3, help="top blocks of the backbone to fine-tune")
        parser.add_argument("--images", type=int, default=2400, help="training examples at most")
        parser.add_argument("--size", type=int, default=160, help="input height")
        parser.add_argument("--width", type=int, help="input width (default: --size, a square)")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--out", type=Path, default=settings.DATA_DIR / "train" / "gender")
        parser.add_argument("--no-ship", action="store_true")

    def handle(self, *args, **opts) -> None:
        from training.gender import GenderTraining, folder_examples, lookbook_examples, train_gender
        from training.keras_export import export_tflite
        from training.manifest import ship_model

        rng = random.Random(opts["seed"])
        if opts["source"] == "folder":
            if not opts["folder"]:
                raise CommandError("--source folder needs --folder PATH")
            examples = folder_examples(opts["folder"])
            rng.shuffle(examples)
            cut = max(1, len(examples) // 10)
            train, val = examples[cut:], examples[:cut]
        elif opts["source"] == "catalog":
            train, val = _catalog_examples(rng)
        else:
            train, val = lookbook_examples(opts["lookbook"], "train"), lookbook_examples(opts["lookbook"], "val")
        train = train[: opts["images"]]
        if not train or not val:
            raise CommandError("no training or validation examples found")
        cfg = GenderTraining(
            size=opts["size"],
            width=opts["width"],
            head_epochs=opts["epochs"],
            finetune_epochs=opts["finetune_epochs"],
            finetune_blocks=opts["finetune_blocks"],
            seed=opts["seed"],
        )
        started = time.monotonic()

        def progress(it, total, desc):
            return tqdm(it, total=total, desc=desc, unit="batch")

        model, history = train_gender(train, val, cfg, progress)
        minutes = (time.monotonic() - started) / 60
        out: Path = opts["out"]
        out.mkdir(parents=True, exist_ok=True)
        (out / "history.json").write_text(json.dumps(history, indent=2))
        fp16 = export_tflite(model, out / "gender_fp16.tflite")
        from training.gender_eval import evaluate_gender

        metrics = evaluate_gender(fp16, opts["lookbook"], "test")
        self.stdout.write(json.dumps({"history": history[-1], "test": metrics}))
        if opts["no_ship"]:
            return
        entry = ship_model(
            "gender_classifier",
            fp16,
            "gender_classifier_fp16.tflite",
            {
                "kind": "classifier",
                "architecture": "MobileNetV2 (ImageNet, torchvision weights ported to Keras) + dropout + sigmoid",
                "input_size": [*cfg.shape, 3],
                "input": "RGB float32 in [0, 1]: the person box plus 8% margin, padded with grey to the input's shape",
                "output": "P(women)",
                "precision": "float16",
                "training": {
                    "command": f"manage.py train_gender --source {opts['source']} --epochs {cfg.head_epochs} "
                    f"--finetune-epochs {cfg.finetune_epochs} --finetune-blocks {cfg.finetune_blocks} "
                    f"--images {opts['images']} --size {cfg.shape[0]} --width {cfg.shape[1]} "
                    f"--seed {cfg.seed}",
                    "data": opts["source"],
                    "augmentation": AUGMENTATION,
                    "train_examples": len(train),
                    "minutes": round(minutes, 1),
                    "history": history,
                },
                "metrics": metrics,
            },
        )
        self.stdout.write(self.style.SUCCESS(f"shipped weights/{entry['file']} ({entry['bytes'] / 1e6:.1f} MB)"))


def _catalog_examples(rng: random.Random):
    """Model shots of the scraped catalog, labelled with their product's gender."""
    from catalog.models import ProductImage
    from training.gender import Example

    shots = [
        Example(Path(img.image.path), None, img.product.gender)
        for img in ProductImage.objects.filter(view="model", product__gender__in=["men", "women"]).select_related(
            "product"
        )
    ]
    rng.shuffle(shots)
    cut = max(1, len(shots) // 10)
    return shots[cut:], shots[:cut]
