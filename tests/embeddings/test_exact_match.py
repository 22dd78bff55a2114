"""The exact-match rule: a first result must lead the next and be as similar as true matches are."""

from detection.models.embedder import embedder
from embeddings.exact_match import ExactMatchRule, exact_match_rule


def test_a_clear_lead_is_not_enough_without_the_similarity_of_a_true_match():
    rule = ExactMatchRule(margin=0.03, min_similarity=0.99)
    assert rule.is_exact(0.995, 0.96)
    assert not rule.is_exact(0.965, 0.80)  # a dark suit against the catalog's black shirt: far ahead, not the one
    assert not rule.is_exact(0.995, 0.99)  # a near-duplicate just behind it
    assert rule.is_exact(0.995, None)


def test_the_shipped_rule_is_calibrated_against_products_the_catalog_lacks():
    calibrated = embedder.entry.calibrated("exact_match")
    rule = exact_match_rule()
    assert rule.margin == calibrated["threshold"] and rule.min_similarity == calibrated["min_similarity"]
    # on the validation split, queries whose whole family was taken out are (almost) never exact
    assert calibrated["absent_family_rate_allowed"] <= 0.01
    assert calibrated["test_check"]["absent_family_labelled"] <= 0.01
    assert calibrated["precision"] >= calibrated["target_precision"]
