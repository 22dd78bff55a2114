"""`manage.py calibrate_exact_match`: how similar, and how far ahead, a first result must be to read "exact match"."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from detection.models.embedder import Embedder
from detection.registry import WEIGHTS_DIR, ModelFileError, verified_model
from training.manifest import annotate_model
from training.retrieval_eval import calibrate_exact_match, exact_match_check


class Command(BaseCommand):
    help = "Calibrate the shipped embedder's exact-match threshold on the lookbook's validation split."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--lookbook", type=Path, default=settings.DATA_DIR / "lookbook")
        parser.add_argument("--weights", type=Path, default=WEIGHTS_DIR, help="model files and their manifest")
        parser.add_argument("--split", default="val")
        parser.add_argument("--precision", type=float, default=0.9, help="wanted share of exact matches that are right")
        parser.add_argument("--no-save", action="store_true", help="print only; leave the manifest as it is")

    def handle(self, *args, **opts) -> None:
        try:
            entry = verified_model("embedder", opts["weights"])
        except ModelFileError as exc:
            raise CommandError(str(exc)) from exc
        if not (opts["lookbook"] / "pairs" / f"{opts['split']}.jsonl").exists():
            raise CommandError(f"{opts['lookbook']} has no {opts['split']} pairs: run build_lookbook first")
        embedder = Embedder(entry.path)
        result = calibrate_exact_match(
            embedder.embed_batch, opts["lookbook"], opts["split"], embedder.size, opts["precision"]
        )
        if (opts["lookbook"] / "pairs" / "test.jsonl").exists():  # the same margin, on products never tuned on
            result["test_check"] = exact_match_check(
                embedder.embed_batch,
                opts["lookbook"],
                "test",
                embedder.size,
                result["threshold"],
                result["min_similarity"],
            )
        if not opts["no_save"]:
            annotate_model("embedder", "exact_match", result, opts["weights"])  # what was printed, nothing else
        self.stdout.write(json.dumps(result))
