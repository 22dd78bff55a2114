"""`manage.py train_compatibility`: learn which products complete an outfit, from the outfits photos show."""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from detection.garment_colours import VERSION as COLOUR_VERSION
from detection.models.garment_names import garment_namer
from detection.registry import ModelFileError
from training.compatibility import CompatibilityTraining
from training.outfit_sources import add_source_arguments, load_outfits


def _command(source: str, lookbook: Path, cfg) -> str:
    """The commands that rebuild these weights from the committed code."""
    train = (
        f"manage.py train_compatibility --source {source} --epochs {cfg.epochs} --rank {cfg.rank} --lr {cfg.lr} "
        f"--weight-decay {cfg.weight_decay} --random-negatives {cfg.random_negatives} --classes {cfg.classes} "
        f"--worn-axes {cfg.worn_axes} --seed {cfg.seed}"
        + ("" if cfg.colours else " --no-colours")
        + ("" if cfg.types else " --no-types")
    )
    if source != "lookbook":
        return f"make demo-catalog (DEMO_STORE_MODEL_SHOTS=stylist); {train}"
    summary = json.loads((lookbook / "summary.json").read_text())
    built = (
        f"manage.py build_lookbook --outfits stylist --train {summary['scenes']['train']} "
        f"--val {summary['scenes']['val']} --test {summary['scenes']['test']} --products "
        f"{summary['config']['n_products']} --seed {summary['config']['seed']}"
    )
    return f"{built} --out {lookbook}; {train} --lookbook {lookbook}"


def _input(model) -> str:
    """What the model reads, for the manifest."""
    parts = ["each garment's embedder vector"]
    if model.colour_size:
        parts.append(f"its colours (detection.garment_colours, {model.colour_size} numbers, version {COLOUR_VERSION})")
    if model.class_size:
        worn = ""  # a worn garment read on every axis
        if not model.worn_axes:
            worn = ", read for the catalog photos only (worn garments: zeros)"
        elif model.worn_axes < model.class_size:
            worn = f", a worn garment's on the first {model.worn_axes} only (the rest zeros)"
        parts.append(
            "the garment namer's ImageNet class probabilities as logarithms on "
            f"{model.class_size} principal axes of the training garments' (held in the file){worn}"
        )
    if model.types:
        parts.append(f"the garment namer's {len(model.types)} article types' shares of those probabilities")
    return "; ".join(parts) + ": the worn garments' crops (query) and catalog photos (candidates)"


@contextlib.contextmanager
def _progress(epochs: int, name: str):
    bar = tqdm(total=epochs, desc=name, unit="epoch")

    def on_epoch(row: dict) -> None:
        bar.update(1)
        bar.set_postfix(loss=f"{row['loss']:.3f}", val_fitb=f"{row['val_fitb']:.3f}")

    try:
        yield on_epoch
    finally:
        bar.close()


class Command(BaseCommand):
    help = (
        "Train the compatibility model on outfits: a lookbook's scenes (build it with `build_lookbook --outfits "
        "stylist`) or, with --source catalog, the scraped catalog's model shots boxed by the detector. Garment crops "
        "and catalog photos are embedded by the shipped embedder; the epoch kept is the best on the validation "
        "split's fill-in-the-blank accuracy. Ships weights/compatibility.npz with its manifest entry."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_source_arguments(parser)
        parser.add_argument("--epochs", type=int, default=CompatibilityTraining.epochs)
        parser.add_argument("--rank", type=int, default=CompatibilityTraining.rank)
        parser.add_argument("--lr", type=float, default=CompatibilityTraining.lr)
        parser.add_argument(
            "--random-negatives",
            type=int,
            default=CompatibilityTraining.random_negatives,
            help="training products of the target's category drawn at random per batch, negatives beside the batch's",
        )
        parser.add_argument("--weight-decay", type=float, default=1e-3)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--classes",
            type=int,
            default=CompatibilityTraining.classes,
            help="principal axes of the ImageNet classes each garment is read by (0: not read)",
        )
        parser.add_argument(
            "--worn-axes",
            type=int,
            default=CompatibilityTraining.worn_axes,
            help="of those axes, how many a worn garment is read by (the first: the coarse kind of garment); "
            "all of them for a shop whose model shots are real photos",
        )
        parser.add_argument(
            "--no-types",
            action="store_true",
            help="leave out the garment namer's article types' shares of the ImageNet classes",
        )
        parser.add_argument(
            "--no-colours",
            action="store_true",
            help="read each garment by its embedder vector alone, not its colours too",
        )
        parser.add_argument("--no-ship", action="store_true", help="train and report, leave weights/ as it is")

    def handle(self, *args, **opts) -> None:
        from training.compatibility import namer_types, train
        from training.compatibility_eval import breakdown, fitb_questions, model_scorer, scored
        from training.manifest import ship_model

        try:
            data = load_outfits(opts["source"], opts["lookbook"])
        except (ModelFileError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
        products, outfits, entry = data.products, data.outfits, data.embedder
        if not outfits["train"] or not outfits["val"]:
            raise CommandError(f"{data.describe} has no outfits to train or validate on")
        cfg = CompatibilityTraining(
            rank=opts["rank"],
            epochs=opts["epochs"],
            lr=opts["lr"],
            weight_decay=opts["weight_decay"],
            seed=opts["seed"],
            colours=not opts["no_colours"],
            random_negatives=opts["random_negatives"],
            classes=opts["classes"],
            worn_axes=opts["worn_axes"],
            types=not opts["no_types"],
        )
        questions = fitb_questions(outfits["val"], products, seed=cfg.seed)
        with _progress(cfg.epochs, "compatibility") as on_epoch:
            types = namer_types(garment_namer.entry.info.get("types_by_category", {}))
            model, history, kept = train(outfits["train"], outfits["val"], products, cfg, on_epoch, types)
        val = breakdown(scored(model_scorer(model), questions, products), questions)
        self.stdout.write(
            f"kept epoch {kept} of {cfg.epochs}: validation FITB {val['all']['fitb']:.4f}, "
            f"AUC {val['all']['auc']:.4f} ({val['all']['questions']} questions)"
        )
        if opts["no_ship"]:
            return
        info = {
            "kind": "compatibility",
            "architecture": "type-aware bilinear: score = (Q[a->b] a).(P[a->b] b) + w[b].b per ordered category pair",
            "input": _input(model),
            "colour_size": model.colour_size,
            "class_axes": model.class_size,
            "garment_namer_sha256": garment_namer.entry.sha256 if model.class_size or model.types else None,
            "embedder_sha256": entry.sha256,  # trained on this embedder's vectors: a new embedder needs retraining
            "metrics": {"val": val, "test": "see manage.py evaluate_compatibility"},
            "training": {
                **cfg.recipe(),
                "command": _command(opts["source"], opts["lookbook"], cfg),
                "data": f"{data.describe}: outfits dressed by the stylist (a fifth at random), split by product family",
                "outfits": {s: len(o) for s, o in outfits.items()},
                "epoch_kept": kept,
                "history": history,
            },
        }
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "compatibility.npz"
            model.save(path)
            shipped = ship_model("compatibility", path, "compatibility.npz", info)
        self.stdout.write(
            f"shipped weights/compatibility.npz ({shipped['bytes']:,} bytes, sha256 {shipped['sha256'][:12]}…)"
        )
