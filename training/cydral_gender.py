"""Rebuild the Cydral face gender network (dlib's, CC0) from its ONNX file as a Keras model, for TFLite.

The network is small: four 3x3 convolutions, each followed by a per-channel affine (dlib's frozen
batch norm) and ReLU, an average pool after every second one, then two dense layers and a
softmax over [female, male]. The ONNX graph is read for its weights only; the layers are ours, so
the TFLite file has NHWC input and no ONNX runtime is needed in the worker.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

INPUT_SIZE = 32  # pixels: a face chip, 32 x 32 RGB


def onnx_weights(path: Path) -> dict[str, np.ndarray]:
    """Every initializer of the ONNX file by name."""
    import onnx
    from onnx import numpy_helper

    return {t.name: numpy_helper.to_array(t) for t in onnx.load(str(path)).graph.initializer}


def onnx_layers(path: Path) -> list[tuple[str, list[str]]]:
    """(op type, initializer inputs) of every node, in graph order: the recipe the Keras model follows."""
    import onnx

    graph = onnx.load(str(path)).graph
    names = {t.name for t in graph.initializer}
    return [(node.op_type, [i for i in node.input if i in names]) for node in graph.node]


def build_keras(path: Path):
    """The network with the ONNX file's weights, NHWC input already normalised ((RGB - mean) / 256)."""
    import keras

    keras.utils.clear_session()  # fresh layer names, so the exported file is the same byte for byte
    weights = onnx_weights(path)
    x = inputs = keras.Input((INPUT_SIZE, INPUT_SIZE, 3), name="face")
    conv = None  # the convolution whose affine (a per-channel Mul, then Add) is still being folded in
    scalar = 1.0  # dlib puts a constant multiply in front of each dense layer: folded into it
    flattened = False

    def close_conv():
        nonlocal x, conv
        if conv is not None:
            kernel, bias = conv
            layer = keras.layers.Conv2D(kernel.shape[-1], kernel.shape[:2], padding="same")
            x = layer(x)
            layer.set_weights([kernel, bias])
            conv = None

    for op, params in onnx_layers(path):
        values = [weights[p] for p in params]
        if op == "Conv":
            close_conv()
            conv = (values[0].transpose(2, 3, 1, 0), values[1])  # OIHW -> HWIO
        elif op == "Mul" and conv is not None:  # conv * s folds into kernel * s, bias * s
            s = values[0].reshape(-1)
            conv = (conv[0] * s, conv[1] * s)
        elif op == "Add" and conv is not None:
            conv = (conv[0], conv[1] + values[0].reshape(-1))
        elif op == "Mul":
            scalar *= float(values[0].reshape(-1)[0])
        elif op == "Relu":
            close_conv()
            x = keras.layers.ReLU()(x)
        elif op == "AveragePool":
            x = keras.layers.AveragePooling2D(2, 2)(x)
        elif op == "Flatten":
            if not flattened:  # ONNX flattens channels first: put NHWC in that order so the dense weights fit
                x = keras.layers.Permute((3, 1, 2))(x)
            x = keras.layers.Flatten()(x)
            flattened = True
        elif op == "Gemm":
            layer = keras.layers.Dense(values[0].shape[1])
            x = layer(x)
            layer.set_weights([values[0] * scalar, values[1]])
            scalar = 1.0
        elif op == "Softmax":
            x = keras.layers.Softmax()(x)
        else:
            raise ValueError(f"unexpected ONNX op {op} in {path}")
    return keras.Model(inputs, x, name="cydral_gender")


def largest_difference(path: Path, model, samples: int = 16) -> float:
    """Largest |Keras - onnxruntime| over random normalised faces: the rebuild is checked, not trusted."""
    import onnxruntime

    rng = np.random.default_rng(0)
    faces = ((rng.random((samples, INPUT_SIZE, INPUT_SIZE, 3)) * 255 - 120) / 256).astype(np.float32)
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (reference,) = session.run(None, {session.get_inputs()[0].name: faces.transpose(0, 3, 1, 2)})
    return float(np.abs(model.predict(faces, verbose=0) - reference).max())
