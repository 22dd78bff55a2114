"""`manage.py evaluate_type_boost`: does favouring the garment's article type in the results raise Recall@1?"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from detection.registry import ModelFileError, verified_model

VOTES = (3, 5, 10)
BOOSTS = (0.0, 0.005, 0.01, 0.02, 0.03, 0.05)


class Command(BaseCommand):
    help = (
        "Add a boost to the similarity of results of the garment's voted article type; choose the vote size and "
        "boost on the lookbook's validation split, and report Recall@1 on its test split with and without it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--lookbook", type=Path, default=settings.DATA_DIR / "lookbook")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts) -> None:
        from detection.models.embedder import Embedder
        from training.retrieval_eval import type_boost_sweep

        lookbook: Path = opts["lookbook"]
        for split in ("val", "test"):
            if not (lookbook / "pairs" / f"{split}.jsonl").exists():
                raise CommandError(f"no {split} split in {lookbook}: run `manage.py build_lookbook --val N` first")
        try:
            embedder = Embedder(verified_model("embedder").path)
        except ModelFileError as exc:
            raise CommandError(str(exc)) from exc
        val, test = (
            type_boost_sweep(embedder.embed_batch, lookbook, split, embedder.size, VOTES, BOOSTS)
            for split in ("val", "test")
        )
        chosen, keep = choose_on_validation(val["rows"])
        # The test split is only read and reported: it decides nothing.
        plain = next(r for r in test["rows"] if r["boost"] == 0.0)
        boosted = next(r for r in test["rows"] if (r["vote_k"], r["boost"]) == (chosen["vote_k"], chosen["boost"]))
        report = {
            "chosen_on_val": {"vote_k": chosen["vote_k"], "boost": chosen["boost"], "val_recall@1": chosen["recall@1"]},
            "test_without": {k: plain[k] for k in ("recall@1", "recall@10", "map@10")},
            "test_with": {k: boosted[k] for k in ("recall@1", "recall@10", "map@10", "type_right")},
            "keep": keep,
            "val": val,
            "test": test,
        }
        if opts["json"]:
            self.stdout.write(json.dumps(report))
            return
        header = ("split", "vote k", "boost", "type right", "R@1", "R@10", "mAP@10")
        self.stdout.write("{:<5} {:>6} {:>6} {:>10} {:>7} {:>7} {:>7}".format(*header))
        for sweep in (val, test):
            for r in sweep["rows"]:
                self.stdout.write(
                    f"{sweep['split']:<5} {r['vote_k']:>6} {r['boost']:>6.3f} {r['type_right']:>10.3f} "
                    f"{r['recall@1']:>7.4f} {r['recall@10']:>7.4f} {r['map@10']:>7.4f}"
                )
        self.stdout.write(
            f"chosen on val: vote of {chosen['vote_k']}, boost {chosen['boost']}: "
            + ("keep it" if keep else "no gain on val, leave it out")
            + f"; test Recall@1 {plain['recall@1']:.4f} without, {boosted['recall@1']:.4f} with (reported only)"
        )


def choose_on_validation(rows: list[dict]) -> tuple[dict, bool]:
    """(the validation row chosen, keep the boost?): the best validation Recall@1, a tie going to the smaller
    boost; kept only when a boost beats no boost on validation."""
    chosen = max(rows, key=lambda r: (round(r["recall@1"], 6), -r["boost"]))
    plain = next(r for r in rows if r["boost"] == 0.0)
    return chosen, chosen["boost"] > 0.0 and round(chosen["recall@1"], 6) > round(plain["recall@1"], 6)
