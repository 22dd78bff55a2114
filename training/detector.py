"""Train the YOLOv5u garment detector with ultralytics and export it to TFLite float16."""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .ultralytics_env import import_ultralytics

logger = logging.getLogger(__name__)
CALIBRATION_FILE = "calibration_image_sample_data_20x128x128x3_float32.npy"


@dataclass(frozen=True)
class DetectorTraining:
    data_yaml: Path
    work_dir: Path
    epochs: int = 40
    imgsz: int = 416
    batch: int = 32
    seed: int = 7
    model: str = "yolov5n.yaml"  # built from the yaml: the anchor-free v5u head, no weights fetched
    fraction: float = 1.0  # share of the training images to use
    device: str | None = None  # None: the GPU if there is one, else the CPU
    init: Path | None = None  # continue from this checkpoint (e.g. the shipped model's) instead of scratch


def pick_device(requested: str | None) -> str:
    if requested:
        return requested
    import torch

    return "0" if torch.cuda.is_available() else "cpu"


def train_detector(cfg: DetectorTraining) -> Path:
    """Train on the lookbook, from scratch or from `cfg.init`; returns the best checkpoint (on the val split)."""
    import_ultralytics(cfg.work_dir / "ultralytics")
    import torch
    from ultralytics import YOLO

    torch.set_num_threads(os.cpu_count() or 1)  # ultralytics lowers this to cores - 1 at predict
    start = cfg.model
    if cfg.init is not None:
        # A copy: this run writes its own checkpoints where the one it starts from may live.
        start = str(cfg.work_dir / "init.pt")
        cfg.work_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(cfg.init, start)
    model = YOLO(start)
    model.train(
        data=str(cfg.data_yaml),
        epochs=cfg.epochs,
        imgsz=cfg.imgsz,
        batch=cfg.batch,
        seed=cfg.seed,
        deterministic=True,
        device=pick_device(cfg.device),
        workers=min(4, os.cpu_count() or 1),
        project=str(cfg.work_dir),
        name="train",
        exist_ok=True,
        pretrained=cfg.init is not None,
        # Continuing needs no long warm-up: the weights are already trained.
        warmup_epochs=0.5 if cfg.init is not None else 3.0,
        amp=False,  # the AMP check downloads weights
        plots=True,
        fraction=cfg.fraction,
        patience=max(10, cfg.epochs // 4),
        close_mosaic=min(10, max(1, cfg.epochs // 5)),  # plain images for the last fifth of training
        verbose=False,
    )
    best = cfg.work_dir / "train" / "weights" / "best.pt"
    if not best.exists():
        raise RuntimeError(f"training finished without {best}")
    return best


def export_tflite(checkpoint: Path, imgsz: int, out_dir: Path) -> dict[str, Path]:
    """float16 and float32 TFLite files of the checkpoint, via ONNX and onnx2tf."""
    import_ultralytics(out_dir / "ultralytics")
    from ultralytics import YOLO

    out_dir.mkdir(parents=True, exist_ok=True)
    cwd = Path.cwd()
    os.chdir(out_dir)  # the exporter looks for its calibration array in the working folder
    try:
        if not Path(CALIBRATION_FILE).exists():
            # int8 calibration is not used, but the exporter downloads this array unless it exists.
            rng = np.random.default_rng(0)
            np.save(CALIBRATION_FILE, rng.random((20, 128, 128, 3), dtype=np.float32))
        local = out_dir / checkpoint.name
        if checkpoint.resolve() != local.resolve():
            shutil.copy(checkpoint, local)
        saved_model = Path(YOLO(str(local)).export(format="saved_model", imgsz=imgsz))
    finally:
        os.chdir(cwd)
    found = {"float16": None, "float32": None}
    for tfl in saved_model.glob("*.tflite"):
        for kind in found:
            if tfl.stem.endswith(kind):
                found[kind] = tfl
    missing = [k for k, v in found.items() if v is None]
    if missing:
        raise RuntimeError(f"export produced no {missing} TFLite file in {saved_model}")
    return found
