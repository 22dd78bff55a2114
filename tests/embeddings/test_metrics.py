"""Retrieval metrics against rankings worked out by hand."""

import numpy as np
import pytest

from embeddings.metrics import rankings, retrieval_metrics

SCORES = np.array([[0.9, 0.8, 0.1], [0.2, 0.3, 0.7]])
RELEVANT = np.array([[False, True, False], [True, False, True]])


def test_rankings_are_best_first():
    assert rankings(SCORES).tolist() == [[0, 1, 2], [2, 1, 0]]


def test_recall_precision_and_map_by_hand():
    m = retrieval_metrics(SCORES, RELEVANT, ks=(1, 2, 3))
    # query 0: its one right answer is 2nd; query 1: right answers 1st and 3rd
    assert m["recall@1"] == 0.5 and m["recall@2"] == 1.0
    assert m["precision@1"] == 0.5
    assert m["precision@3"] == pytest.approx((1 / 3 + 2 / 3) / 2)
    # AP@3: query 0 = 1/2; query 1 = (1/1 + 2/3) / 2
    assert m["map@3"] == pytest.approx((0.5 + (1 + 2 / 3) / 2) / 2)
    # AP@1 divides by min(1, relevant): query 0 = 0, query 1 = 1
    assert m["map@1"] == 0.5


def test_items_outside_the_partition_are_never_retrieved():
    allowed = np.array([[False, True, True], [True, True, False]])
    assert rankings(SCORES, allowed).tolist() == [[1, 2, -1], [1, 0, -1]]
    m = retrieval_metrics(SCORES, RELEVANT, ks=(1,), allowed=allowed)
    assert m["recall@1"] == 0.5  # query 0 now ranks its answer first; query 1's first is wrong
