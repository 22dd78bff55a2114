"""`evaluate_ranking`: the shipped ranking against the embedder alone on a lookbook, as the worker ranks."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from training.ranking_eval import title_colour


def test_a_title_names_its_longest_colour():
    names = ["Blue", "Navy Blue", "Sky Blue", "Black"]
    assert title_colour("Men Navy Blue Solid Hoodie", names) == "Navy Blue"
    assert title_colour("Women Blue Washed Jeans", names) == "Blue"
    assert title_colour("Men Printed Hoodie", names) == ""


def test_the_first_result_stays_the_embedders_and_the_rest_are_ranked(tiny_lookbook):
    out = StringIO()
    call_command("evaluate_ranking", lookbook=tiny_lookbook, ranking="colour=1,type=2,name=1", json=True, stdout=out)
    report = json.loads(out.getvalue())
    assert [r["split"] for r in report] == ["val", "test"]
    for split in report:
        plain, ranked = split["rows"]
        assert plain["ranking"] == "colour=0,texture=0,type=0,name=0" and split["queries"] > 0
        assert ranked["ranking"] == "colour=1,texture=0,type=2,name=1"
        assert ranked["recall@1"] == plain["recall@1"]  # the embedder's first stays first
        assert 0.0 <= ranked["recall@10"] <= 1.0


def test_unknown_weights_are_refused(tiny_lookbook):
    with pytest.raises(CommandError, match="brand"):
        call_command("evaluate_ranking", lookbook=tiny_lookbook, ranking="brand=1", stdout=StringIO())
