"""Retrieval metrics against rankings worked out by hand."""

import numpy as np
import pytest

from embeddings.metrics import judged_ranking_metrics, rankings, relevance_score, retrieval_metrics
from training.retrieval_eval import precise_threshold, top1_margin

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


def test_relevance_score_is_graded_ndcg():
    assert relevance_score([2, 1, 0], k=3) == pytest.approx(1.0)  # already the best order
    assert relevance_score([0, 0, 2], k=3, pool=[2, 0, 0]) == pytest.approx(0.5)  # 2/log2(4) over 2/log2(2)
    assert relevance_score([0, 0, 0], k=3) == 0.0
    # the exact product beyond k counts nothing, though the ideal ranking would have shown it
    assert relevance_score([1, 0, 0, 2], k=3) == pytest.approx(1.0 / (2 + 1 / np.log2(3)))


def test_judged_metrics_on_a_condensed_ranking():
    # relevant at judged ranks 1, 3 and 4: P@3 = 2/3; AP@3 = (1/1 + 2/3) / min(3, 3 relevant)
    out = judged_ranking_metrics([True, False, True, True], k=3)
    assert out["precision"] == pytest.approx(2 / 3)
    assert out["ap"] == pytest.approx((1 + 2 / 3) / 3)


def test_the_exact_match_threshold_keeps_the_longest_precise_prefix():

    scores = np.array([0.99, 0.97, 0.95, 0.90, 0.80, 0.70])
    correct = np.array([True, True, False, True, False, False])
    # precision by prefix: 1, 1, 2/3, 3/4, 3/5, 1/2
    assert precise_threshold(scores, correct, 0.75) == (0.90, 0.75, 4)
    assert precise_threshold(scores, correct, 0.9) == (0.97, 1.0, 2)
    assert precise_threshold(scores, ~correct & False, 0.5) == (1.0, 0.0, 0)


def test_a_gallery_smaller_than_k_counts_the_missing_ranks_as_misses():
    scores = np.array([[0.9, 0.1, 0.5]])
    relevant = np.array([[False, False, True]])
    out = retrieval_metrics(scores, relevant, ks=(1, 10))
    assert out["recall@10"] == 1.0 and out["precision@10"] == pytest.approx(0.1) and out["map@10"] == 0.5


def test_top1_margin_is_the_lead_over_the_runner_up_within_the_allowed_items():

    scores = np.array([[0.9, 0.7, -np.inf], [0.6, -np.inf, -np.inf], [0.5, 0.55, 0.1]])
    assert top1_margin(scores) == pytest.approx([0.2, 0.6, 0.05])
