"""The taxonomy is data: a file with another category changes every part that reads it, and a bad file is refused."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from detection.taxonomy import DEFAULT_FILE, TaxonomyError, load

ROOT = Path(__file__).resolve().parent.parent


def with_categories(tmp_path: Path, *extra: dict, types: tuple[dict, ...] = ()) -> Path:
    raw = json.loads(DEFAULT_FILE.read_text())
    raw["categories"] += list(extra)
    raw["article_types"] += list(types)
    path = tmp_path / "taxonomy.json"
    path.write_text(json.dumps(raw))
    return path


BAGS = {
    "name": "bags", "label": "Bags", "item_name": "Bag", "worn_on": None, "body_span": [0.4, 0.6],
    "colour_region": [0.1, 0.1, 0.9, 0.9], "colour_off_backdrop": True, "display_colour": "#1098ad",
}  # fmt: skip
OUTERWEAR = {
    "name": "outerwear", "label": "Outerwear", "item_name": "Coat", "worn_on": "torso", "body_span": [0.12, 0.7],
    "colour_region": [0.2, 0.1, 0.8, 0.7], "colour_off_backdrop": False, "display_colour": "#c2255c",
}  # fmt: skip
TOTE = {"name": "tote", "label": "Tote", "category": "bags", "genders": ["women"], "keywords": ["tote"]}


def test_every_consumer_follows_a_taxonomy_with_more_categories(tmp_path):
    # given the shipped taxonomy plus a bag (worn on no body part) and a coat (worn on the torso)
    path = with_categories(tmp_path, BAGS, OUTERWEAR, types=(TOTE,))
    env = {
        **os.environ,
        "SHOPTHELOOK_TAXONOMY": str(path),
        "SHOPTHELOOK_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SETTINGS_MODULE": "shopthelook.settings.test",
    }

    # when every consumer is asked what it made of it, in a process that reads that file
    run = subprocess.run(
        [sys.executable, "-m", "tests.taxonomy_probe"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout)

    # then the database, the partitions, the detector and the synthetic shop know both categories
    expected = ["topwear", "bottomwear", "footwear", "bags", "outerwear"]
    assert seen["product_choices"] == seen["item_choices"] == expected
    assert "men/bags" in seen["partitions"] and "unisex/outerwear" in seen["partitions"]
    assert seen["detector_classes"] == seen["synthetic_classes"] == [*expected, "person"]
    # and a site profile may start a scrape at bags, not at a category the file does not have
    assert seen["profiles"] == {"bags": "accepted", "hats": "refused"}
    # and the coat gets a pose region on the torso, the bag none: the detector's bag is kept as found
    assert seen["regions"] == ["bottomwear", "footwear", "outerwear", "topwear"]
    assert ["bags", "detector"] in seen["fused"]
    # and worn colours are read from the new categories' own regions
    assert seen["colour_regions"]["bags"] == [0.1, 0.1, 0.9, 0.9] and seen["off_backdrop"] == ["bags", "footwear"]
    # (a bag drops the colour around it, as shoes do; a coat reads the grey in its region)
    assert seen["grey_share"]["bags"] == 0.0 and seen["grey_share"]["outerwear"] > 0.3
    # and complete the look has a block for each, but the shipped model suggests only what it was trained on
    assert seen["compatibility_blocks"] == expected
    assert seen["shipped_model_completes"] == {c: c in expected[:3] for c in expected}
    # and titles name the new article type
    assert seen["title_type"] == "tote"
    # and the look page offers the new categories, in their colours, for a region the shopper draws
    page = seen["page"]
    assert '<option value="bags">Bag</option>' in page and '<option value="outerwear">Coat</option>' in page
    assert "#1098ad" in page and "#c2255c" in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"worn_on": "tail"}, "worn_on"),
        ({"display_colour": "red;}"}, "display_colour"),
        ({"body_span": [0.8, 0.2]}, "body_span"),
        ({"name": "topwear"}, "distinct"),
        ({"name": "person"}, "distinct"),
        ({"name": "accessories_x"}, "at most 12"),
    ],
)
def test_a_taxonomy_that_would_break_a_consumer_is_refused_with_the_reason(tmp_path, change, message):
    path = with_categories(tmp_path, {**BAGS, **change})

    with pytest.raises(TaxonomyError, match=message):
        load(path)


def test_an_article_type_of_no_category_is_refused(tmp_path):
    path = with_categories(tmp_path, types=({**TOTE, "category": "bags"},))

    with pytest.raises(TaxonomyError, match="unknown category 'bags'"):
        load(path)
