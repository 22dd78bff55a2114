"""The same-type boost: a vote of the best matches names the type, and the boost is chosen on validation."""

import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command

from synthetic.lookbook import LookbookConfig, build_lookbook
from training.management.commands.evaluate_type_boost import BOOSTS, VOTES, choose_on_validation
from training.retrieval_eval import type_votes


def test_the_vote_weighs_the_best_matches_of_the_partition_only():
    types = np.array(["hoodie", "tshirt", "tshirt", "shirt"])
    scores = np.array([[0.9, 0.8, 0.7, 0.95], [0.9, 0.1, 0.1, 0.0]])
    allowed = np.array([[True, True, True, False], [True, True, True, True]])
    # Query 0: the shirt is of another partition; two t-shirts (1.5) outvote the best match (0.9).
    # Query 1: a vote of 3 keeps the hoodie (0.9 against 0.2).
    assert type_votes(scores, allowed, types, 3).tolist() == ["tshirt", "hoodie"]
    assert type_votes(scores, allowed, types, 1).tolist() == ["hoodie", "hoodie"]


@pytest.mark.slow
def test_the_boost_is_chosen_on_validation_and_reported_on_test(tmp_path):
    build_lookbook(tmp_path, LookbookConfig({"train": 1, "val": 3, "test": 3}, n_products=60, width=240, height=320))
    out = StringIO()
    call_command("evaluate_type_boost", lookbook=tmp_path, json=True, stdout=out)
    report = json.loads(out.getvalue())
    for split in ("val", "test"):
        rows = report[split]["rows"]
        assert {(r["vote_k"], r["boost"]) for r in rows} == {(k, b) for k in VOTES for b in BOOSTS}
        plain = {r["recall@1"] for r in rows if r["boost"] == 0.0}
        assert len(plain) == 1  # no boost: the vote changes nothing
    best_val = max(r["recall@1"] for r in report["val"]["rows"])
    assert report["chosen_on_val"]["val_recall@1"] == best_val
    # keep is validation's verdict: the same whatever the test split says
    val_plain = next(r["recall@1"] for r in report["val"]["rows"] if r["boost"] == 0.0)
    assert report["keep"] == (report["chosen_on_val"]["boost"] > 0 and best_val > val_plain)


def _row(k: int, boost: float, recall: float) -> dict:
    return {"vote_k": k, "boost": boost, "recall@1": recall}


def test_the_boost_is_kept_only_when_it_beats_no_boost_on_validation():
    plain = [_row(k, 0.0, 0.70) for k in VOTES]
    # a boost that wins on validation is chosen and kept
    chosen, keep = choose_on_validation([*plain, _row(5, 0.01, 0.72), _row(5, 0.05, 0.60)])
    assert (chosen["vote_k"], chosen["boost"], keep) == (5, 0.01, True)
    # every boost loses: no boost is chosen and nothing is kept
    chosen, keep = choose_on_validation([*plain, _row(5, 0.01, 0.69)])
    assert (chosen["boost"], keep) == (0.0, False)
    # a tie goes to no boost
    chosen, keep = choose_on_validation([*plain, _row(3, 0.005, 0.70)])
    assert (chosen["boost"], keep) == (0.0, False)
