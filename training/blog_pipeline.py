"""The blog's pipeline, rebuilt to be timed beside ours (`benchmark_looks --against blog`).

The blog this project grew from ran, per photo: YOLOv5s at 640 px in torch (ultralytics) for the
garments; its seed's gender classifier, a ResNet50 with a Flatten and Dense(512) head and one
sigmoid, on the photo; and a Siamese embedder, ResNet50 + Flatten + Dense(512), on each of three
garment crops; both classifiers as float16 TFLite; then a brute-force NumPy search of each
vector against the catalog's. Timing does not depend on the weights, so they are random: the
files are built once (a few minutes) and cached. Run as `python -m training.blog_pipeline DIR`
on a folder of JPEGs, in a process of its own so that its memory is its own; it prints JSON.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import time
from pathlib import Path

import numpy as np
from PIL import Image

from .memory import rss_mb

SIDE = 224  # the ResNet50s' input
EMBEDDING = 512
CATALOG_VECTORS = 10_000  # the catalog the blog searched, brute force
DETECTOR_SIZE = 640
THREADS = 2  # the machine's cores, for torch and LiteRT alike
# Where the three garments are cut from the photo: the blog's timing does not depend on where.
CROPS = ((0.3, 0.1, 0.7, 0.5), (0.3, 0.45, 0.7, 0.9), (0.3, 0.85, 0.7, 1.0))
STAGES = ("decode", "detect", "gender", "embed", "search")
FILES = {"gender": "blog_gender_resnet50_fp16.tflite", "embedder": "blog_embedder_resnet50_fp16.tflite"}
DETECTOR_FILE = "blog_detector_yolov5s_random.pt"  # not "yolov5s.pt": ultralytics would fetch yolov5su.pt


def _resnet50_head(outputs: int, activation: str | None):
    """ResNet50 (random weights, no top) + Flatten + Dense(512) + Dense(outputs): the blog's two networks."""
    import keras

    keras.utils.set_random_seed(0)
    inputs = keras.Input((SIDE, SIDE, 3))
    x = keras.applications.ResNet50(include_top=False, weights=None, input_tensor=inputs).output
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(EMBEDDING, activation="relu")(x)
    return keras.Model(inputs, keras.layers.Dense(outputs, activation=activation)(x))


def build(folder: Path) -> dict[str, Path]:
    """The blog's three model files in `folder`, built the first time only."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {name: folder / file for name, file in FILES.items()}
    paths["detector"] = folder / DETECTOR_FILE
    if not paths["gender"].exists() or not paths["embedder"].exists():
        from .keras_export import export_tflite

        export_tflite(_resnet50_head(1, "sigmoid"), paths["gender"])
        export_tflite(_resnet50_head(EMBEDDING, None), paths["embedder"])
    if not paths["detector"].exists():
        yolo = _ultralytics(folder).YOLO("yolov5s.yaml")  # the architecture, randomly initialised
        yolo.save(paths["detector"])
    return paths


def _ultralytics(folder: Path):
    from .ultralytics_env import import_ultralytics

    return import_ultralytics(folder / "ultralytics")


def _cut(image: Image.Image, box: tuple[float, float, float, float]) -> np.ndarray:
    w, h = image.size
    crop = image.crop((round(box[0] * w), round(box[1] * h), round(box[2] * w), round(box[3] * h)))
    return np.asarray(crop.resize((SIDE, SIDE)), np.float32)[None] / 255.0


def run(jpegs: list[bytes], folder: Path, warmup: int = 2) -> dict:
    """Each photo through the blog's pipeline: per stage and in all, milliseconds per photo (after `warmup`
    photos not counted), the process's RSS after the run and each model file's size."""
    import torch

    from detection.litert import TFLiteModel

    paths = build(folder)
    detector = _ultralytics(folder).YOLO(str(paths["detector"]))
    gender, embedder = (TFLiteModel(paths[n], threads=THREADS) for n in ("gender", "embedder"))
    catalog = np.random.default_rng(0).standard_normal((CATALOG_VECTORS, EMBEDDING)).astype(np.float32)
    catalog /= np.linalg.norm(catalog, axis=1, keepdims=True)
    stages: dict[str, list[float]] = {s: [] for s in STAGES}
    totals = []
    for n, data in enumerate(jpegs):
        marks = [time.perf_counter()]  # one more at the end of each stage
        image = Image.open(io.BytesIO(data)).convert("RGB")
        marks.append(time.perf_counter())
        detector.predict(np.asarray(image)[:, :, ::-1], imgsz=DETECTOR_SIZE, verbose=False)  # BGR, as cv2 reads
        torch.set_num_threads(THREADS)  # ultralytics sets torch to cores - 1 at its first predict
        marks.append(time.perf_counter())
        gender.run(np.asarray(image.resize((SIDE, SIDE)), np.float32)[None] / 255.0)
        marks.append(time.perf_counter())
        vectors = [embedder.run(_cut(image, box))[0][0] for box in CROPS]
        marks.append(time.perf_counter())
        for v in vectors:
            scores = catalog @ (v / max(float(np.linalg.norm(v)), 1e-9))
            np.argpartition(-scores, 10)[:10]
        marks.append(time.perf_counter())
        if n >= warmup:
            totals.append((marks[-1] - marks[0]) * 1000)
            for stage, begin, end in zip(STAGES, marks[:-1], marks[1:], strict=True):
                stages[stage].append((end - begin) * 1000)
    files = {name: path.stat().st_size for name, path in paths.items()}
    return {
        "photos": len(totals),
        "total_ms": totals,
        "stages_ms": stages,
        "rss_mb": round(rss_mb(os.getpid(), children=False), 1),
        "model_bytes": files,
        "threads": THREADS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photos", type=Path, help="a folder of .jpg files, timed in name order")
    parser.add_argument("--models", type=Path, required=True, help="where the blog's model files are cached")
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()
    jpegs = [p.read_bytes() for p in sorted(args.photos.glob("*.jpg"))]
    print(json.dumps(run(jpegs, args.models, args.warmup)))


if __name__ == "__main__":
    main()
