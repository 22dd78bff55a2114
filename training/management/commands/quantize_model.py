"""`manage.py quantize_model NAME`: a shipped float16 model to int8, calibrated on rendered scenes, in its place."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from detection.boxes import letterbox
from detection.registry import WEIGHTS_DIR, verified_model
from training.bench import photos
from training.detector_eval import evaluate_detector
from training.gender_eval import evaluate_gender
from training.manifest import ship_model
from training.quantize import int8_file, int8_weights_file


@dataclass(frozen=True)
class Recipe:
    """How one model is quantized: its weights alone, or its activations too (calibrated), what stays
    in float32, and how it is evaluated on a lookbook split (its trainer's figures), of which the
    `figure` on validation must hold."""

    activations: bool
    keep_float: str | None
    note: str
    evaluate: Callable[[Path, Path, str], dict]  # (model file, lookbook, split) -> figures
    figure: str


CALIBRATION_PHOTOS = 60  # rendered lookbook scenes as the benchmark draws them: no labels, no real photo
CALIBRATION_SEED = 123
MAX_LOSS = 0.01  # of the model's validation figure: more is not "nothing measurable"
# Only models whose int8 file kept their figures (docs/research.md, "Speed and memory"). With int8
# activations the body gender classifier's probabilities collapsed to 0.4-0.5 and the embedder's
# vectors fell to a cosine of 0.81 with their float16 ones; with int8 weights the pose models and
# the COCO people detector lost people on the real dev split, and Cydral's face model one reading.
RECIPES = {
    "garment_detector": Recipe(
        True,
        # The decode head: class probabilities and box distances meet in one output tensor.
        r".*(sigmoid_69/|concat_1[348]/|reshape_2[03]/|transpose_111/|dfl|convolution_75|strided_slice|subtract"
        r"|add_89/|add_90/|truediv|multiply_302/|Identity).*",
        "int8 weights (per channel) and activations (per tensor, ranges from 60 rendered scenes), the decode "
        "head in float32: its one output holds pixels and probabilities",
        evaluate_detector,
        "map50_95",
    ),
    "gender_classifier": Recipe(
        False, None, "int8 weights (per channel), float32 activations", evaluate_gender, "accuracy"
    ),
}


class Command(BaseCommand):
    help = "Quantize a shipped model to int8 (ai-edge-quantizer) and ship it in its place, if validation holds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=sorted(RECIPES))
        parser.add_argument("--weights", type=Path, default=WEIGHTS_DIR)
        parser.add_argument("--lookbook", type=Path, default=settings.DATA_DIR / "lookbook", help="measured on")

    def handle(self, *args, **opts) -> None:
        name, weights = opts["name"], opts["weights"]
        entry = verified_model(name, weights)
        if entry.info.get("precision") == "int8":
            raise CommandError(f"{name} is int8 already ({entry.path.name})")
        recipe = RECIPES[name]
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "int8.tflite"
            if recipe.activations:
                size = int(entry.info["input_size"][0])
                scenes = photos(CALIBRATION_PHOTOS, seed=CALIBRATION_SEED)
                calibration = [letterbox(s, size)[0][None] for s in tqdm(scenes, desc="calibration", unit="scene")]
                int8_file(entry.path, out, calibration, recipe.keep_float)
                _check_outputs(entry.path, out, calibration[:8])
            else:
                int8_weights_file(entry.path, out)
            # Chosen on validation (both files), then the test split read once for the file shipped.
            val = {
                k: recipe.evaluate(f, opts["lookbook"], "val")[recipe.figure]
                for k, f in (("before", entry.path), ("after", out))
            }
            if val["before"] - val["after"] > MAX_LOSS:
                raise CommandError(f"int8 loses {val['before'] - val['after']:.4f} {recipe.figure} on validation")
            info = {k: v for k, v in entry.info.items() if k not in ("file", "sha256", "bytes", "date")}
            info["precision"] = "int8"
            info["quantisation"] = {
                "command": f"manage.py quantize_model {name}",
                "from": {"file": entry.path.name, "sha256": entry.sha256, "precision": entry.info.get("precision")},
                "recipe": recipe.note,
                "validation": {k: {recipe.figure: round(v, 4)} for k, v in val.items()},
                "metrics_before": entry.info.get("metrics"),
            }
            if recipe.activations:
                info["quantisation"]["calibration"] = (
                    f"{CALIBRATION_PHOTOS} scenes of training.bench.photos, seed {CALIBRATION_SEED}"
                )
            info["metrics"] = recipe.evaluate(out, opts["lookbook"], "test")
            file_name = entry.path.name.replace("_fp16", "").replace(".tflite", "_int8.tflite")
            shipped = ship_model(name, out, file_name, info, weights)
        if entry.path.name != file_name:
            entry.path.unlink()  # the manifest no longer names it; `quantisation.from` records what it was
        self.stdout.write(
            f"{name}: {entry.info['bytes'] / 1e6:.1f} MB -> {shipped['bytes'] / 1e6:.1f} MB ({file_name})"
        )
        self.stdout.write("then measure the look with it: evaluate_real_photos --split dev")


def _check_outputs(before: Path, after: Path, batches: list[np.ndarray]) -> None:
    """Refuse a file whose outputs are not those of the float model's shape (a broken conversion)."""
    from detection.litert import TFLiteModel

    old, new = TFLiteModel(before), TFLiteModel(after)
    for batch in batches:
        a, b = old.run(batch), new.run(batch)
        if [x.shape for x in a] != [y.shape for y in b] or not all(np.isfinite(y).all() for y in b):
            raise CommandError("the int8 model's outputs differ in shape from the float model's, or are not finite")
