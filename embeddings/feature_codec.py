"""How a garment's features are stored in database columns: the one codec for worn garments and products alike.

NumPy only, so the web process (the rows' models import it) loads no model runtime.
"""

from __future__ import annotations

import numpy as np

CLASSES = 1000  # the ImageNet classes the garment namer gives a probability for, per garment or photo
# Little-endian float32, the ImageNet classes in float16 (2 kB a photo; what float16 loses lies below
# compatibility.CLASS_FLOOR, which the model reads as the floor anyway).
STORED = {"vector": "<f4", "colours": "<f4", "classes": "<f2"}


def to_bytes(part: str, values: np.ndarray) -> bytes:
    """`values` as the column for `part` ("vector", "colours" or "classes") stores them."""
    return np.asarray(values, STORED[part]).tobytes()


def stored_size(part: str, values: int) -> int:
    """How many bytes `values` numbers of `part` take as stored."""
    return values * np.dtype(STORED[part]).itemsize


def from_bytes(part: str, data: bytes | memoryview) -> np.ndarray:
    """A stored `part` back as float32, flat (a product's rows are reshaped by its photo count)."""
    return np.frombuffer(bytes(data), STORED[part]).astype(np.float32, copy=False)
