"""The Siamese embedder's network and its triplet loss with in-batch semi-hard negative mining.

A batch holds B different products: anchors are their scene crops, positives their catalog
photos. For anchor i, every other product's photo in the batch is a candidate negative; the one
chosen is the closest that is still farther than the positive (semi-hard), or the hardest
negative when none is, as in FaceNet's training.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers

from .mobilenet_v2 import build_mobilenet_v2, load_imagenet_weights


def build_embedder(size: int = 160, dim: int = 128, imagenet: bool = True) -> keras.Model:
    """Image (RGB float32 in [0, 1]) -> L2-normalised `dim`-d embedding."""
    backbone = build_mobilenet_v2(size)
    if imagenet:
        load_imagenet_weights(backbone)
    inputs = keras.Input((size, size, 3), name="image")
    x = backbone(inputs)
    x = layers.Dense(512, activation="relu", name="head_hidden")(x)
    x = layers.Dropout(0.2, name="head_dropout")(x)
    x = layers.Dense(dim, name="head_embedding")(x)
    outputs = layers.UnitNormalization(name="l2_normalise")(x)
    return keras.Model(inputs, outputs, name="embedder")


def pairwise_squared_distances(a: tf.Tensor, b: tf.Tensor) -> tf.Tensor:
    """d[i, j] = |a_i - b_j|^2 for unit vectors: 2 - 2 cos."""
    return tf.maximum(2.0 - 2.0 * tf.matmul(a, b, transpose_b=True), 0.0)


def semi_hard_triplet_loss(anchors: tf.Tensor, positives: tf.Tensor, margin: float = 0.2) -> tf.Tensor:
    """Mean of max(0, d(a, p) - d(a, n) + margin) with n mined in the batch (see the module docstring)."""
    d = pairwise_squared_distances(anchors, positives)
    d_ap = tf.linalg.diag_part(d)
    n = tf.shape(d)[0]
    is_negative = tf.logical_not(tf.eye(n, dtype=tf.bool))
    big = tf.constant(1e9, d.dtype)
    farther = tf.logical_and(is_negative, d > d_ap[:, None])
    semi_hard = tf.reduce_min(tf.where(farther, d, big), axis=1)
    hardest = tf.reduce_min(tf.where(is_negative, d, big), axis=1)
    d_an = tf.where(semi_hard < big, semi_hard, hardest)
    return tf.reduce_mean(tf.nn.relu(d_ap - d_an + margin))
