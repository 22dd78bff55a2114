"""A TF.js graph model (model.json and its weight shards) as a TensorFlow function, to export to TFLite.

model.json holds a GraphDef in protobuf's JSON form whose constants have no values; the values sit
in the .bin shards in the order the weights manifest lists them, some stored as float16 or as uint8
with a scale and a minimum. TF.js also keeps int64 constants as int32, so each value is cast back
to the dtype its node declares.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np


def tensors(manifest: list[dict], shards: dict[str, bytes]) -> dict[str, np.ndarray]:
    """Every weight of a TF.js weights manifest, by node name, as float32 (or its integer dtype)."""
    out: dict[str, np.ndarray] = {}
    for group in manifest:
        data = b"".join(shards[path] for path in group["paths"])
        offset = 0
        for spec in group["weights"]:
            count = int(np.prod(spec["shape"])) if spec["shape"] else 1
            stored = spec.get("quantization", {}).get("dtype", spec["dtype"])
            dtype = np.dtype({"float32": np.float32, "int32": np.int32, "float16": np.float16}.get(stored, stored))
            values = np.frombuffer(data, dtype, count, offset)
            offset += count * dtype.itemsize
            quant = spec.get("quantization")
            if quant and quant["dtype"] in ("uint8", "uint16"):
                values = values.astype(np.float32) * quant["scale"] + quant["min"]
            elif dtype == np.float16:
                values = values.astype(np.float32)
            out[spec["name"]] = values.reshape(spec["shape"])
        if offset != len(data):
            raise ValueError(f"the weights manifest reads {offset} bytes of shards that hold {len(data)}")
    return out


def graph_function(model_json: bytes, shards: dict[str, bytes]) -> tuple[Callable, list[str]]:
    """The model as a TensorFlow function of its one input, and the names of its outputs in sorted order."""
    import tensorflow as tf
    from google.protobuf import json_format

    model = json.loads(model_json)
    values = tensors(model["weightsManifest"], shards)
    graph = tf.compat.v1.GraphDef()
    json_format.ParseDict(model["modelTopology"], graph, ignore_unknown_fields=True)
    for node in graph.node:
        if node.op == "Const" and node.name in values:
            dtype = tf.as_dtype(node.attr["dtype"].type).as_numpy_dtype
            node.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(values[node.name].astype(dtype)))
    (input_name,) = model["signature"]["inputs"]
    outputs = sorted(model["signature"]["outputs"])
    wrapped = tf.compat.v1.wrap_function(lambda: tf.compat.v1.import_graph_def(graph, name=""), [])
    run = wrapped.prune(
        wrapped.graph.get_tensor_by_name(input_name), [wrapped.graph.get_tensor_by_name(o) for o in outputs]
    )
    return run, outputs
