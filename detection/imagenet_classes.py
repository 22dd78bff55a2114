"""ImageNet class probabilities as the database stores them (float16), light enough for the web process to import."""

from __future__ import annotations

import numpy as np

CLASSES = 1000  # the ImageNet classes the garment namer reads


def classes_to_bytes(probabilities: np.ndarray) -> bytes:
    """Class probabilities as stored (float16: 2 kB a photo; what is lost is below
    compatibility.CLASS_FLOOR, which the model reads as the floor anyway)."""
    return np.asarray(probabilities, "<f2").tobytes()


def classes_from_bytes(data: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(data), "<f2").astype(np.float32)
