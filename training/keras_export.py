"""Keras models to TFLite files, and what a file costs at run time (size, latency in LiteRT)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np


def export_tflite(model, path: Path, float16: bool = True) -> Path:
    """The Keras model as a TFLite file; float16 weights by default (half the size, same accuracy)."""
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if float16:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.target_spec.supported_types = [tf.float16]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(converter.convert())
    return path


def tflite_latency_ms(path: Path, runs: int = 50) -> float:
    """Median milliseconds per single-image call, one thread, after a warm-up call."""
    from detection.litert import TFLiteModel

    model = TFLiteModel(path, threads=1)
    x = np.random.default_rng(0).random(model.input_shape, dtype=np.float32)
    model.run(x)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        model.run(x)
        times.append((time.perf_counter() - start) * 1000)
    return float(np.median(times))
