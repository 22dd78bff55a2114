"""Worn garments are named by the ImageNet classifier's garment classes, which know real clothes."""

import json

import numpy as np
from PIL import Image

from detection import taxonomy
from detection.models.garment_names import garment_namer


def test_the_map_names_only_types_of_each_category_by_real_imagenet_classes():
    types = garment_namer.entry.info["types_by_category"]
    category_of = {a.name: a.category for a in taxonomy.ARTICLE_TYPES}
    assert set(types) == set(taxonomy.CATEGORY_NAMES)
    for category, mapped in types.items():
        assert set(mapped) == {a.name for a in taxonomy.ARTICLE_TYPES if a.category == category}
        assert all(category_of[t] == category and all(0 <= i < 1000 for i in ids) for t, ids in mapped.items())


def test_a_type_is_chosen_among_its_own_categorys_types_by_summed_probability():
    namer = garment_namer()
    p = np.zeros(1000, np.float32)
    p[[834, 608]] = 0.3, 0.4  # a suit and a jean: trousers and jeans compete for a bottom
    bottom = namer.best_within(p, "bottomwear")
    assert bottom.article_type == "jeans" and abs(bottom.score - 0.4) < 1e-6
    assert namer.best_within(p, "topwear").article_type == "jacket"  # the jean is no top
    assert namer.best_within(p, "footwear").article_type != "heels"  # no ImageNet class is a heel


def test_bare_forearms_turn_a_jacket_read_from_the_classes_into_a_t_shirt():
    namer = garment_namer()
    p = np.zeros(1000, np.float32)
    p[[834, 610]] = 0.3, 0.1  # more suit than jersey: a jacket, unless the forearms show skin
    assert namer.best_within(p, "topwear").article_type == "jacket"
    assert namer.best_within(p, "topwear", forearms=0.1).article_type == "jacket"
    bare = namer.best_within(p, "topwear", forearms=0.9)
    assert bare.article_type == "tshirt" and abs(bare.score - 0.1) < 1e-6  # still the classes' own belief
    p[[608, 842]] = 0.5, 0.1  # the sleeves say nothing of a bottom (the suit counts as trousers: 0.3)
    assert namer.best_within(p, "bottomwear", forearms=0.9).article_type == "jeans"


def test_a_suit_on_a_real_photo_is_a_jacket_over_trousers(real_photos):
    labels, path = real_photos["obama3.jpg"]
    with Image.open(path) as opened:
        image = opened.convert("RGB")
    boxes = {g.category: g.box for g in labels.garments}
    top = garment_namer().predict(image, boxes["topwear"], "topwear").guess
    bottom = garment_namer().predict(image, boxes["bottomwear"], "bottomwear").guess
    assert top.article_type == "jacket" and top.score > 0.5
    assert bottom.article_type == "trousers"


def test_names_are_scored_against_every_garment_box_of_a_lookbook_split(tmp_path):
    from synthetic.lookbook import LookbookConfig, build_lookbook
    from training.name_eval import evaluate_names

    build_lookbook(tmp_path, LookbookConfig({"train": 1, "val": 1, "test": 4}, n_products=60, width=240, height=320))
    pairs = (tmp_path / "pairs" / "test.jsonl").read_text().splitlines()
    seen = []

    def name_all_sneakers(image, box, category):
        seen.append(category)
        from detection.models.article_types import ArticleGuess

        return ArticleGuess("sneakers", 1.0) if category == "footwear" else None

    report = evaluate_names(name_all_sneakers, tmp_path, "test")
    assert report["garments"] == len(pairs) == len(seen)
    assert set(report["by_category"]) <= {"topwear", "bottomwear", "footwear"}
    assert report["by_category"].get("topwear", 0.0) == 0.0  # nothing named is never right
    # every worn shoe named "sneakers": right exactly as often as the shoes worn are sneakers
    from training.siamese import read_catalog

    catalog = read_catalog(tmp_path)
    worn = [catalog[json.loads(line)["product"]] for line in pairs]
    shoes = [p["article_type"] == "sneakers" for p in worn if p["category"] == "footwear"]
    assert report["by_category"]["footwear"] == round(sum(shoes) / len(shoes), 4)
    # a product filter keeps only its garments
    only_shoes = evaluate_names(
        name_all_sneakers, tmp_path, "test", keep=lambda pid: catalog[pid]["category"] == "footwear"
    )
    assert only_shoes["garments"] == len(shoes) and set(only_shoes["by_category"]) == {"footwear"}


def test_with_the_jacket_blanked_the_trousers_read_less_of_a_jacket(real_photos):
    # the trousers' crop margin shows the jacket's hem; complete the look must read the trousers alone
    namer = garment_namer()
    top_classes = np.concatenate([ids for ids in namer.types_by_category["topwear"].values()])
    for name in ("obama3.jpg", "basketball1.png"):
        labels, path = real_photos[name]
        with Image.open(path) as opened:
            image = opened.convert("RGB")
        boxes = {g.category: g.box for g in labels.garments}
        alone = namer.predict(image, boxes["bottomwear"], others=[boxes["topwear"]]).classes
        seen_with = namer.predict(image, boxes["bottomwear"]).classes
        assert alone[top_classes].sum() < 0.8 * seen_with[top_classes].sum(), name
