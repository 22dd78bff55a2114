"""The one import site of LiteRT: a TFLite model with one image input, run on the CPU."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from ai_edge_litert.interpreter import Interpreter

from .registry import ModelFileError


def _quantized(batch: np.ndarray, detail: dict) -> np.ndarray:
    """`batch` as the input tensor takes it: an integer input (an int8 file's) by its scale and zero point."""
    dtype = detail["dtype"]
    if not np.issubdtype(dtype, np.integer):
        return batch.astype(dtype, copy=False)
    scale, zero = detail["quantization"]
    info = np.iinfo(dtype)
    return np.clip(np.round(batch / scale) + zero, info.min, info.max).astype(dtype)


def _real(values: np.ndarray, detail: dict) -> np.ndarray:
    """An output as real numbers: an integer one (an int8 file's) by its scale and zero point."""
    if not np.issubdtype(values.dtype, np.integer) or not detail["quantization"][0]:
        return values
    scale, zero = detail["quantization"]
    return (values.astype(np.float32) - zero) * scale


class TFLiteModel:
    """A loaded .tflite file; `run` takes one NHWC float32 batch and returns every output."""

    def __init__(self, path: Path, threads: int = 1):
        try:
            self.interpreter = Interpreter(model_path=str(path), num_threads=threads)
            self.interpreter.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            raise ModelFileError(f"{path} is not a loadable TFLite model: {exc}") from exc
        self._input = self.interpreter.get_input_details()[0]
        self._outputs = self.interpreter.get_output_details()

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(int(v) for v in self._input["shape"])

    def run(self, batch: np.ndarray) -> list[np.ndarray]:
        if self._input["shape_signature"][0] == -1 and batch.shape[0] != self._input["shape"][0]:
            # A file with a free batch size (one product's photos per call): resize to this batch.
            self.interpreter.resize_tensor_input(self._input["index"], batch.shape)
            self.interpreter.allocate_tensors()
            self._input = self.interpreter.get_input_details()[0]
            self._outputs = self.interpreter.get_output_details()
        self.interpreter.set_tensor(self._input["index"], _quantized(batch, self._input))
        self.interpreter.invoke()
        return [_real(self.interpreter.get_tensor(o["index"]), o) for o in self._outputs]

    def run_named(self, batch: np.ndarray, *names: str) -> list[np.ndarray]:
        """The outputs called `names`, in that order (a file's own output order is not guaranteed)."""
        outputs = dict(zip((o["name"] for o in self._outputs), self.run(batch), strict=True))
        missing = [n for n in names if n not in outputs]
        if missing:
            raise ModelFileError(f"the model has no output {missing[0]!r} (it has {', '.join(outputs)})")
        return [outputs[n] for n in names]
