"""Float16 TFLite files to int8 ones, with activations calibrated on photos: smaller, and faster in XNNPACK.

The shipped files store float16 weights, each read through a DEQUANTIZE op; LiteRT then holds a
float32 copy beside XNNPACK's packed one, so a file costs about five times its size in memory, and
its convolutions run in float32. `float32_file` first gives each such op's output its float32
values (the int8 quantizer reads float32 weights only) and names the graph's inputs and outputs
(it runs a model by its signature). `int8_file` then quantizes weights per channel and activations
per tensor from their ranges over a calibration set (ai-edge-quantizer's `static_wi8_ai8`),
leaving in float32 the layers `keep_float` matches: a detector's decode head, whose one output
holds pixels and probabilities side by side, has no single int8 scale for both. `int8_weights_file`
quantizes the weights alone, for a model whose activations do not survive int8.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np


def float32_file(source: Path, out: Path) -> int:
    """`source` with its float16 weights as float32 constants and a signature; the number of weights changed."""
    from ai_edge_litert import schema_py_generated as schema
    from ai_edge_litert.tools import flatbuffer_utils

    model = flatbuffer_utils.read_model(str(source))
    dequantize = {
        n
        for n, code in enumerate(model.operatorCodes)
        if flatbuffer_utils.get_builtin_code_from_operator_code(code) == schema.BuiltinOperator.DEQUANTIZE
    }
    changed, renumbered = 0, []
    for graph in model.subgraphs:
        kept = []
        for op in graph.operators:
            source_tensor = graph.tensors[op.inputs[0]] if op.opcodeIndex in dequantize else None
            data = model.buffers[source_tensor.buffer].data if source_tensor is not None else None
            if data is None or source_tensor.type != schema.TensorType.FLOAT16 or not len(data):
                kept.append(op)
                continue
            weights = np.frombuffer(bytes(bytearray(data)), np.float16).astype(np.float32)
            buffer = schema.BufferT()
            buffer.data = np.frombuffer(weights.tobytes(), np.uint8)
            model.buffers.append(buffer)
            graph.tensors[op.outputs[0]].buffer = len(model.buffers) - 1
            model.buffers[source_tensor.buffer].data = None  # the float16 copy: nothing reads it now
            changed += 1
        graph.operators = kept
        renumbered.append(_drop_unused_tensors(graph))
    for signature in model.signatureDefs or []:
        for tensor_map in [*(signature.inputs or []), *(signature.outputs or [])]:
            tensor_map.tensorIndex = renumbered[signature.subgraphIndex][tensor_map.tensorIndex]
    if not model.signatureDefs:
        model.signatureDefs = [_signature(schema, model.subgraphs[0])]
    flatbuffer_utils.write_model(model, str(out))
    return changed


def _drop_unused_tensors(graph) -> dict[int, int]:
    """Remove the tensors no op and no graph input or output names, renumbering the rest (old -> new)."""
    used = {i for op in graph.operators for i in [*op.inputs, *op.outputs] if i >= 0}
    used = sorted(used | set(graph.inputs) | set(graph.outputs))
    new = {old: n for n, old in enumerate(used)}
    graph.tensors = [graph.tensors[i] for i in used]
    for op in graph.operators:
        op.inputs = [new[i] if i >= 0 else i for i in op.inputs]  # -1: an optional input left out
        op.outputs = [new[i] for i in op.outputs]
    graph.inputs = [new[i] for i in graph.inputs]
    graph.outputs = [new[i] for i in graph.outputs]
    return new


def _signature(schema, graph):
    """A "serving_default" signature naming the graph's inputs and outputs by their tensors' names."""

    def named(indices: Iterable[int]) -> list:
        out = []
        for i in indices:
            tensor_map = schema.TensorMapT()
            tensor_map.name, tensor_map.tensorIndex = graph.tensors[i].name, i
            out.append(tensor_map)
        return out

    signature = schema.SignatureDefT()
    signature.signatureKey, signature.subgraphIndex = "serving_default", 0
    signature.inputs, signature.outputs = named(graph.inputs), named(graph.outputs)
    return signature


def int8_weights_file(source: Path, out: Path) -> int:
    """`source` with int8 weights (per channel) and float32 activations, half a float16 file; the bytes written."""
    return _quantized(source, out, None, None)


def int8_file(source: Path, out: Path, calibration: Iterable[np.ndarray], keep_float: str | None = None) -> int:
    """`source` (float16 or float32 weights) quantized to int8 with activation ranges read on the
    `calibration` inputs (each one batch as the model takes it); the bytes written."""
    return _quantized(source, out, list(calibration), keep_float)


def _quantized(source: Path, out: Path, calibration: list[np.ndarray] | None, keep_float: str | None) -> int:
    """int8 weights; int8 activations too when `calibration` gives their ranges. Read from a float32 copy."""
    from ai_edge_litert.interpreter import Interpreter
    from ai_edge_quantizer import quantizer, recipe

    float32 = out.with_suffix(".float32.tflite")
    float32_file(source, float32)
    try:
        q = quantizer.Quantizer(str(float32))
        q.load_quantization_recipe(recipe.weight_only_wi8_afp32() if calibration is None else recipe.static_wi8_ai8())
        if keep_float:
            q.update_quantization_recipe(
                regex=keep_float, operation_name=recipe.TFLOperationName.ALL_SUPPORTED, algorithm_key="no_quantize"
            )
        if calibration is None:
            data = q.quantize().quantized_model
        else:
            name = Interpreter(model_path=str(float32)).get_signature_list()["serving_default"]["inputs"][0]
            ranges = q.calibrate({"serving_default": [{name: np.asarray(x, np.float32)} for x in calibration]})
            data = q.quantize(ranges).quantized_model
    finally:
        float32.unlink(missing_ok=True)
    out.write_bytes(data)
    return len(data)
