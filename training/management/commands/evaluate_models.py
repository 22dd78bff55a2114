"""`manage.py evaluate_models --json`: every model metric on the lookbook's test split, plus plots."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from detection.registry import WEIGHTS_DIR, ModelEntry, ModelFileError, verified_model

KEYS = (
    "detector_map50",
    "detector_map50_95",
    "gender_accuracy",
    "retrieval_recall_at_1",
    "retrieval_recall_at_10",
    "retrieval_map_at_10",
    "fp16_recall_at_10_drop",
    "garment_name_accuracy",
)
MODELS = ("garment_detector", "gender_classifier", "embedder", "garment_namer")  # what the figures above measure


class Command(BaseCommand):
    help = "Evaluate the shipped models on the lookbook test split; print JSON, write a report of plots."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--lookbook", type=Path, default=settings.DATA_DIR / "lookbook")
        parser.add_argument("--weights", type=Path, default=WEIGHTS_DIR, help="model files and their manifest")
        parser.add_argument("--report", type=Path, default=settings.BASE_DIR / "reports" / "models")
        parser.add_argument("--split", default="test")
        parser.add_argument("--limit", type=int, default=None, help="images to evaluate (default: all)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts) -> None:
        from training.detector_eval import CLASSES, detector_results, summarise
        from training.plots import plot_history, plot_pr_curves, plot_ultralytics_curves

        lookbook: Path = opts["lookbook"]
        if not (lookbook / "scenes" / f"{opts['split']}.jsonl").exists():
            raise CommandError(f"no lookbook at {lookbook}: run `manage.py build_lookbook` first")
        # Every file is checked before anything is measured: a missing or corrupt one is an error naming it,
        # never a row of nulls that reads like a run.
        try:
            entries: dict[str, ModelEntry] = {name: verified_model(name, opts["weights"]) for name in MODELS}
        except ModelFileError as exc:
            raise CommandError(str(exc)) from exc
        report: Path = opts["report"]
        report.mkdir(parents=True, exist_ok=True)
        out: dict = dict.fromkeys(KEYS)
        not_measured: dict[str, str] = {}
        details: dict = {}

        entry = entries["garment_detector"]
        results = detector_results(entry.path, lookbook, opts["split"], opts["limit"])
        summary = summarise(results, opts["split"])
        out["detector_map50"] = round(summary["map50"], 4)
        out["detector_map50_95"] = round(summary["map50_95"], 4)
        details["detector"] = summary
        plot_pr_curves(results, CLASSES, report / "detector_pr_curves.png")
        plot_ultralytics_curves(
            settings.DATA_DIR / "train" / "detector" / "train" / "results.csv", report / "detector_training.png"
        )

        from training.gender_eval import GENDERS, evaluate_gender
        from training.plots import plot_confusion

        entry = entries["gender_classifier"]
        gender = evaluate_gender(entry.path, lookbook, opts["split"])
        out["gender_accuracy"] = round(gender["accuracy"], 4)
        details["gender"] = gender
        plot_confusion(gender["confusion"], GENDERS, report / "gender_confusion.png", "Gender classifier")
        if entry.info.get("training", {}).get("history"):
            plot_history(entry.info["training"]["history"], report / "gender_training.png", "Gender classifier")

        from detection.models.embedder import Embedder
        from training.retrieval_eval import evaluate_retrieval

        entry = entries["embedder"]
        embedder = Embedder(entry.path)
        retrieval = evaluate_retrieval(embedder.embed_batch, lookbook, opts["split"], embedder.size, opts["limit"])
        out["retrieval_recall_at_1"] = round(retrieval["recall@1"], 4)
        out["retrieval_recall_at_10"] = round(retrieval["recall@10"], 4)
        out["retrieval_map_at_10"] = round(retrieval["map@10"], 4)
        details["retrieval"] = retrieval  # with "front_photo_only": what the extra photos per product add
        fp32 = float32_export(entry.info)
        if fp32 is not None:  # the float32 export of the same training run, kept beside the work files
            full = evaluate_retrieval(Embedder(fp32).embed_batch, lookbook, opts["split"], embedder.size, opts["limit"])
            out["fp16_recall_at_10_drop"] = round(full["recall@10"] - retrieval["recall@10"], 4)
        else:  # the manifest's figure is train_embedder's, on its own run: this command does not repeat it
            not_measured["fp16_recall_at_10_drop"] = (
                "the float32 export of the shipped embedder's training run is not here unchanged "
                f"({(entry.info.get('float32_export') or {}).get('path', 'not recorded')})"
            )
        if entry.info.get("training", {}).get("history"):
            plot_history(
                entry.info["training"]["history"],
                report / "embedder_training.png",
                "Embedder (triplet loss)",
                "val_recall@1",
                "validation Recall@1",
            )

        from detection.models.garment_names import GarmentNamer
        from training.name_eval import evaluate_names, namer_names

        namer = GarmentNamer.from_entry(entries["garment_namer"])
        names = evaluate_names(namer_names(namer), lookbook, opts["split"], opts["limit"])
        out["garment_name_accuracy"] = names["accuracy"]  # rendered garments; real photos: evaluate_real_photos
        details["garment_names"] = names

        figures = {**out, "not_measured": not_measured, "split": opts["split"]}
        (report / "metrics.json").write_text(json.dumps({**figures, "details": details}, indent=2) + "\n")
        if opts["json"]:
            self.stdout.write(json.dumps(figures))
            return
        self.stdout.write(f"lookbook {lookbook}, split {opts['split']}")
        for key, value in out.items():
            self.stdout.write(f"{key:28s} {value if key not in not_measured else 'not measured: ' + not_measured[key]}")
        self.stdout.write(f"report: {report}")


def float32_export(info: dict) -> Path | None:
    """The float32 file exported with the shipped fp16 embedder, if it is still there unchanged."""
    from detection.registry import sha256_of

    recorded = info.get("float32_export") or {}
    path = Path(recorded.get("path", ""))
    if not recorded or not path.is_file():
        return None
    # Another training run may have rewritten the work folder since: compare with the shipped run's file.
    return path if sha256_of(path) == recorded.get("sha256") else None
