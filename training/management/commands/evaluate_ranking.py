"""`manage.py evaluate_ranking`: the shipped ranking (LOOK_RANKING) against the embedder alone, on a lookbook."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from detection.registry import ModelFileError, verified_model


class Command(BaseCommand):
    help = (
        "Recall@1 and Recall@10 on the lookbook's validation and test splits with the ranking the worker uses "
        "(its weights were chosen on the real photos' dev split) and with the embedder's similarity alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--lookbook", type=Path, default=settings.DATA_DIR / "lookbook")
        parser.add_argument("--ranking", help="weights to compare instead of LOOK_RANKING")
        parser.add_argument("--splits", nargs="+", default=["val", "test"])
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts) -> None:
        from detection.models.embedder import Embedder
        from embeddings.ranking import RankWeights
        from training.ranking_eval import ranking_on_lookbook

        lookbook: Path = opts["lookbook"]
        for split in opts["splits"]:
            if not (lookbook / "pairs" / f"{split}.jsonl").exists():
                raise CommandError(f"no {split} split in {lookbook}: run `manage.py build_lookbook --val N` first")
        try:
            embedder = Embedder(verified_model("embedder").path)
            weights = [RankWeights(), RankWeights.parse(opts["ranking"] or settings.LOOK_RANKING)]
        except (ModelFileError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        from synthetic.palette import COLOURS

        names = sorted(COLOURS)  # the lookbook's titles name its products' colours from this palette
        report = [
            ranking_on_lookbook(embedder.embed_batch, lookbook, split, embedder.size, weights, names)
            for split in opts["splits"]
        ]
        if opts["json"]:
            self.stdout.write(json.dumps(report))
            return
        self.stdout.write(f"{'split':<5} {'queries':>7} {'ranking':<40} {'R@1':>7} {'R@10':>7}")
        for sweep in report:
            for row in sweep["rows"]:
                self.stdout.write(
                    f"{sweep['split']:<5} {sweep['queries']:>7} {row['ranking']:<40} "
                    f"{row['recall@1']:>7.4f} {row['recall@10']:>7.4f}"
                )
