"""Rebuild face-api's AgeGenderNet (MIT) as a Keras model from its weights file, for TFLite.

The package ships TF.js weights: a manifest naming each tensor (shape, and for most a uint8
quantisation with scale and minimum) and one binary holding them end to end. The network is a
small Xception: a strided 3x3 convolution, two reduction blocks, two residual middle blocks, an
exit reduction block and a separable convolution to 7x7x512, averaged, then a dense layer per
head. Only the gender head is kept: its softmax's first output is P(male).
"""

from __future__ import annotations

import json

import numpy as np

INPUT_SIZE = 112
MIDDLE_BLOCKS = 2


def dequantised(manifest: bytes, weights: bytes) -> dict[str, np.ndarray]:
    """Every tensor of a TF.js weights manifest, as float32, read from the concatenated binary."""
    tensors, offset = {}, 0
    for group in json.loads(manifest):
        for spec in group["weights"]:
            count = int(np.prod(spec["shape"]))
            quant = spec.get("quantization")
            if quant is None:
                if spec["dtype"] != "float32":
                    raise ValueError(f"{spec['name']}: unexpected dtype {spec['dtype']}")
                values = np.frombuffer(weights, "<f4", count, offset).astype(np.float32)
                offset += 4 * count
            else:
                if quant["dtype"] != "uint8":
                    raise ValueError(f"{spec['name']}: unexpected quantisation {quant['dtype']}")
                raw = np.frombuffer(weights, np.uint8, count, offset)
                values = raw.astype(np.float32) * np.float32(quant["scale"]) + np.float32(quant["min"])
                offset += count
            tensors[spec["name"]] = values.reshape(spec["shape"])
    if offset != len(weights):
        raise ValueError(f"the weights file has {len(weights) - offset} bytes the manifest does not describe")
    return tensors


def build_keras(tensors: dict[str, np.ndarray]):
    """The gender half of AgeGenderNet with these weights; input NHWC, (RGB - mean) / 255."""
    import keras
    from keras import layers

    def separable(x, prefix: str):
        layer = layers.SeparableConv2D(tensors[f"{prefix}/bias"].shape[0], 3, padding="same")
        out = layer(x)
        layer.set_weights(
            [tensors[f"{prefix}/depthwise_filter"], tensors[f"{prefix}/pointwise_filter"], tensors[f"{prefix}/bias"]]
        )
        return out

    def conv(x, prefix: str, stride: int):
        kernel = tensors[f"{prefix}/filters"]
        layer = layers.Conv2D(kernel.shape[-1], kernel.shape[:2], strides=stride, padding="same")
        out = layer(x)
        layer.set_weights([kernel, tensors[f"{prefix}/bias"]])
        return out

    def reduction(x, prefix: str, relu_first: bool):
        y = layers.ReLU()(x) if relu_first else x
        y = separable(y, f"{prefix}/separable_conv0")
        y = separable(layers.ReLU()(y), f"{prefix}/separable_conv1")
        y = layers.MaxPooling2D(3, 2, padding="same")(y)
        return layers.Add()([y, conv(x, f"{prefix}/expansion_conv", 2)])

    def middle(x, prefix: str):
        y = x
        for n in range(3):
            y = separable(layers.ReLU()(y), f"{prefix}/separable_conv{n}")
        return layers.Add()([y, x])

    keras.utils.clear_session()  # fresh layer names, so the exported file is the same byte for byte
    inputs = keras.Input((INPUT_SIZE, INPUT_SIZE, 3), name="face")
    x = layers.ReLU()(conv(inputs, "entry_flow/conv_in", 2))
    x = reduction(x, "entry_flow/reduction_block_0", relu_first=False)
    x = reduction(x, "entry_flow/reduction_block_1", relu_first=True)
    for n in range(MIDDLE_BLOCKS):
        x = middle(x, f"middle_flow/main_block_{n}")
    x = reduction(x, "exit_flow/reduction_block", relu_first=True)
    x = layers.GlobalAveragePooling2D()(layers.ReLU()(separable(x, "exit_flow/separable_conv")))
    head = layers.Dense(2)
    probabilities = layers.Softmax()(head(x))
    head.set_weights([tensors["fc/gender/weights"], tensors["fc/gender/bias"]])
    return keras.Model(inputs, probabilities, name="face_api_gender")


def reference_forward(tensors: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """The gender softmax computed with plain NumPy, to check the Keras rebuild against."""

    def pad(v, k, s, fill=0.0):
        def amount(n):
            total = max((-(-n // s) - 1) * s + k - n, 0)
            return total // 2, total - total // 2

        return np.pad(v, ((0, 0), amount(v.shape[1]), amount(v.shape[2]), (0, 0)), constant_values=fill)

    def windows(v, k, s):
        n, h, w, c = v.shape
        oh, ow = (h - k) // s + 1, (w - k) // s + 1
        out = np.empty((n, oh, ow, k, k, c), v.dtype)
        for i in range(k):
            for j in range(k):
                out[:, :, :, i, j] = v[:, i : i + s * oh : s, j : j + s * ow : s]
        return out

    def conv(v, p, s):
        w = tensors[f"{p}/filters"]
        return (
            np.tensordot(windows(pad(v, w.shape[0], s), w.shape[0], s), w, ([3, 4, 5], [0, 1, 2]))
            + tensors[f"{p}/bias"]
        )

    def sep(v, p):
        depth = np.einsum("nhwijc,ijc->nhwc", windows(pad(v, 3, 1), 3, 1), tensors[f"{p}/depthwise_filter"][..., 0])
        return depth @ tensors[f"{p}/pointwise_filter"][0, 0] + tensors[f"{p}/bias"]

    def relu(v):
        return np.maximum(v, 0)

    def reduction(v, p, relu_first):
        y = sep(relu(v) if relu_first else v, f"{p}/separable_conv0")
        y = windows(pad(sep(relu(y), f"{p}/separable_conv1"), 3, 2, -np.inf), 3, 2).max(axis=(3, 4))
        return y + conv(v, f"{p}/expansion_conv", 2)

    y = relu(conv(x, "entry_flow/conv_in", 2))
    y = reduction(y, "entry_flow/reduction_block_0", False)
    y = reduction(y, "entry_flow/reduction_block_1", True)
    for n in range(MIDDLE_BLOCKS):
        z = y
        for k in range(3):
            z = sep(relu(z), f"middle_flow/main_block_{n}/separable_conv{k}")
        y = z + y
    y = reduction(y, "exit_flow/reduction_block", True)
    features = relu(sep(y, "exit_flow/separable_conv")).mean(axis=(1, 2))
    logits = features @ tensors["fc/gender/weights"] + tensors["fc/gender/bias"]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
