"""Average precision against small cases worked out by hand."""

import pytest

from training.detection_metrics import ImageResult, average_precision, detection_map, pr_curve


def image(truth, predicted):
    return ImageResult([("top", *t) for t in truth], [("top", *p) for p in predicted])


def test_one_exact_hit_is_perfect():
    result = detection_map([image([(0, 0, 10, 10)], [(0.9, 0, 0, 10, 10)])], ["top"])
    assert result["top"] == {"map50": 1.0, "map50_95": 1.0}


def test_a_confident_miss_before_the_hit_halves_precision():
    # ranked: a false positive (0.9), then the true box (0.8): recall 0 -> 1 at precision 1/2
    res = [image([(0, 0, 10, 10)], [(0.9, 50, 50, 60, 60), (0.8, 0, 0, 10, 10)])]
    recall, precision, n = pr_curve(res, "top", 0.5)
    assert n == 1 and list(recall) == [0.0, 1.0] and list(precision) == [0.0, 0.5]
    assert detection_map(res, ["top"])["top"]["map50"] == pytest.approx(0.5)


def test_finding_half_the_boxes_gives_ap_of_51_over_101():
    res = [image([(0, 0, 10, 10), (20, 20, 30, 30)], [(0.9, 0, 0, 10, 10)])]
    # precision 1 up to recall 0.5, then 0: 51 of the 101 recall points (0, 0.01, ..., 0.5)
    assert detection_map(res, ["top"])["top"]["map50"] == pytest.approx(51 / 101)


def test_iou_of_exactly_0_6_counts_for_three_of_ten_thresholds():
    # box [0,0,10,6] against [0,0,10,10]: intersection 60, union 100
    res = [image([(0, 0, 10, 10)], [(0.9, 0, 0, 10, 6)])]
    result = detection_map(res, ["top"])["top"]
    assert result["map50"] == 1.0
    assert result["map50_95"] == pytest.approx(0.3)


def test_a_true_box_is_matched_once():
    res = [image([(0, 0, 10, 10)], [(0.9, 0, 0, 10, 10), (0.8, 0, 0, 10, 10)])]
    recall, precision, _ = pr_curve(res, "top", 0.5)
    assert list(recall) == [1.0, 1.0] and list(precision) == [1.0, 0.5]


def test_other_classes_do_not_count():
    res = [ImageResult([("top", 0, 0, 10, 10)], [("shoe", 0.9, 0, 0, 10, 10)])]
    assert detection_map(res, ["top"])["top"]["map50"] == 0.0


def test_average_precision_of_a_flat_curve():
    assert average_precision([0.25, 0.5, 0.75, 1.0], [1.0, 1.0, 1.0, 1.0]) == 1.0
