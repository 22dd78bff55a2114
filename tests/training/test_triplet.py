"""The triplet loss mines the right negatives, on embeddings small enough to check by hand."""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow", reason="training extras are installed by make test")

from training.triplet import pairwise_squared_distances, semi_hard_triplet_loss  # noqa: E402


def unit(*rows):
    a = np.array(rows, np.float32)
    return tf.constant(a / np.linalg.norm(a, axis=1, keepdims=True))


def test_distances_of_unit_vectors():
    d = pairwise_squared_distances(unit([1, 0], [0, 1]), unit([1, 0], [-1, 0])).numpy()
    assert d == pytest.approx(np.array([[0, 4], [2, 2]]), abs=1e-6)


def test_well_separated_pairs_cost_nothing():
    anchors = unit([1, 0, 0], [0, 1, 0], [0, 0, 1])
    assert float(semi_hard_triplet_loss(anchors, anchors, margin=0.5)) == 0.0


def test_semi_hard_negative_is_the_closest_one_farther_than_the_positive():
    # anchor 0 = (1, 0); its positive at 60 degrees (d = 1); negatives at 90 (d = 2) and 180 (d = 4)
    anchors = unit([1, 0], [0, 1], [-1, 0])
    positives = unit([0.5, np.sqrt(3) / 2], [0, 1], [-1, 0])
    loss_0 = max(0.0, 1.0 - 2.0 + 1.5)  # semi-hard negative for anchor 0 is d = 2, not d = 4
    # anchor 1: positive d = 0, negatives d = 2 - sqrt(3) (~0.27) and d = 2: semi-hard is 0.27
    loss_1 = max(0.0, 0.0 - (2 - np.sqrt(3)) + 1.5)
    # anchor 2: positive d = 0, negatives d = 3 and d = 2: semi-hard is 2
    loss_2 = max(0.0, 0.0 - 2.0 + 1.5)
    expected = (loss_0 + loss_1 + loss_2) / 3
    assert float(semi_hard_triplet_loss(anchors, positives, margin=1.5)) == pytest.approx(expected, abs=1e-5)


def test_without_a_farther_negative_the_hardest_one_is_used():
    # anchor 0 = (1, 0): positive (0, 1) at d = 2, its only negative (cos 60, sin 60) at d = 1
    # anchor 1 = (0, 1): positive (cos 60, sin 60) at d = 2 - sqrt(3), its only negative (0, 1) at d = 0
    anchors = unit([1, 0], [0, 1])
    positives = unit([0, 1], [0.5, np.sqrt(3) / 2])
    loss_0 = 2.0 - 1.0 + 0.2
    loss_1 = (2 - np.sqrt(3)) - 0.0 + 0.2
    loss = float(semi_hard_triplet_loss(anchors, positives, margin=0.2))
    assert loss == pytest.approx((loss_0 + loss_1) / 2, abs=1e-5)


def test_embedder_outputs_unit_vectors():
    from training.triplet import build_embedder

    model = build_embedder(size=64, dim=16, imagenet=False)
    out = model(np.random.default_rng(0).random((3, 64, 64, 3), dtype=np.float32), training=False).numpy()
    assert out.shape == (3, 16)
    assert np.linalg.norm(out, axis=1) == pytest.approx(np.ones(3), abs=1e-5)
