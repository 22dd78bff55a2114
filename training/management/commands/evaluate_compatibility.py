"""`manage.py evaluate_compatibility`: fill in the blank and AUC on held-out outfits, against visual similarity."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser

from detection.registry import ModelFileError, verified_model
from training.outfit_sources import add_source_arguments, load_outfits

GROUPS = ("all", "topwear", "bottomwear", "footwear", "styled", "random")


class Command(BaseCommand):
    help = (
        "Score the shipped compatibility model on a lookbook split's outfits (families no training saw): "
        "fill-in-the-blank accuracy among 4 candidates of the missing garment's category and compatibility AUC, "
        "beside a baseline that ranks by visual similarity alone. Plots go to reports/compatibility/."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_source_arguments(parser)
        parser.add_argument("--split", default="test")
        parser.add_argument("--out", type=Path, default=Path("reports/compatibility"))
        parser.add_argument("--seed", type=int, default=0, help="draws the three other candidates")
        parser.add_argument("--record", action="store_true", help="write the figures into the model's manifest entry")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts) -> None:
        from embeddings.compatibility import CompatibilityModel
        from training.compatibility_eval import breakdown, fitb_questions, model_scorer, scored, similarity_scorer
        from training.compatibility_plots import plot_compatibility_scores, plot_fitb_examples
        from training.manifest import annotate_model

        try:
            entry = verified_model("compatibility")
            data = load_outfits(opts["source"], opts["lookbook"])
        except (ModelFileError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
        if entry.info.get("embedder_sha256") not in (None, data.embedder.sha256):
            raise CommandError("the compatibility model was trained on another embedder's vectors: train it again")
        if opts["split"] not in data.outfits:
            raise CommandError(f"no split {opts['split']!r}: choose one of {', '.join(data.outfits)}")
        products, outfits = data.products, data.outfits
        questions = fitb_questions(outfits[opts["split"]], products, seed=opts["seed"])
        model_scores = scored(model_scorer(CompatibilityModel.from_entry(entry)), questions, products)
        baseline_scores = scored(similarity_scorer, questions, products)
        ours, baseline = breakdown(model_scores, questions), breakdown(baseline_scores, questions)
        report = {
            "source": data.describe,
            "split": opts["split"],
            "outfits": len(outfits[opts["split"]]),
            "model": ours,
            "similarity": baseline,
        }

        out: Path = opts["out"]
        out.mkdir(parents=True, exist_ok=True)
        (out / "compatibility.json").write_text(json.dumps(report, indent=2) + "\n")
        plot_compatibility_scores(ours, baseline, out / "scores.png")
        # Three questions the model answers right and three it gets wrong, each drawn at random.
        rng = random.Random(opts["seed"])
        hits = model_scores.argmax(axis=1) == 0
        shown = rng.sample(list(np.flatnonzero(hits)), min(3, int(hits.sum())))
        shown += rng.sample(list(np.flatnonzero(~hits)), min(3, int((~hits).sum())))
        if shown:
            plot_fitb_examples(
                [questions[i] for i in shown],
                model_scores[shown],
                baseline_scores[shown],
                products,
                data.photo_of,
                out / "examples.png",
            )
        if opts["record"]:
            figures = {"source": data.describe, "model": ours, "similarity": baseline}
            annotate_model("compatibility", "metrics", {**entry.info.get("metrics", {}), opts["split"]: figures})
        if opts["json"]:
            self.stdout.write(json.dumps(report))
            return
        self.stdout.write(
            f"{report['outfits']} held-out outfits ({opts['split']}), {ours['all']['questions']} questions"
        )
        self.stdout.write(f"{'':<11} {'n':>5} {'FITB':>7} {'AUC':>7}   {'similarity FITB':>15} {'AUC':>7}")
        for g in (g for g in GROUPS if g in ours):
            a, b = ours[g], baseline[g]
            self.stdout.write(
                f"{g:<11} {a['questions']:>5} {a['fitb']:>7.4f} {a['auc']:>7.4f}   {b['fitb']:>15.4f} {b['auc']:>7.4f}"
            )
        self.stdout.write("chance: FITB 0.25, AUC 0.5; targets FITB >= 0.60, AUC >= 0.75 on all")
        self.stdout.write(f"plots and JSON in {out}/")
