"""`manage.py build_lookbook`: render the synthetic lookbook the models train and are evaluated on."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from synthetic.lookbook import LookbookConfig, build_lookbook


class Command(BaseCommand):
    help = "Render lookbook scenes (YOLO dataset + scene/product pairs) from the demo catalog."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, default=settings.DATA_DIR / "lookbook")
        parser.add_argument("--train", type=int, default=2400)
        parser.add_argument("--val", type=int, default=300)
        parser.add_argument("--test", type=int, default=600)
        parser.add_argument("--products", type=int, default=600)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument(
            "--outfits",
            choices=("random", "stylist"),
            default="random",
            help="random outfits (the shipped models' lookbook) or the stylist's, a fifth at random",
        )

    def handle(self, *args, **opts) -> None:
        config = LookbookConfig(
            scenes={"train": opts["train"], "val": opts["val"], "test": opts["test"]},
            n_products=opts["products"],
            seed=opts["seed"],
            outfits=opts["outfits"],
        )
        total = sum(config.scenes.values())
        summary = build_lookbook(
            opts["out"],
            config,
            workers=opts["workers"],
            progress=lambda it: tqdm(it, total=total, unit="scene", desc="lookbook"),
        )
        self.stdout.write(json.dumps({k: summary[k] for k in ("scenes", "pairs", "products")}))
        self.stdout.write(f"written to {opts['out']}")
