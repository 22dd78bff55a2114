"""The synthetic lookbook: family-level splits, YOLO labels and STL pairs that agree, reproducibly."""

import json
import random
from collections import Counter

import pytest
from PIL import Image

from synthetic.designs import generate_catalog
from synthetic.figure import Outfit
from synthetic.lookbook import CLASSES, LookbookConfig, build_lookbook, split_families
from synthetic.scenes import render_scene

CONFIG = LookbookConfig(scenes={"train": 6, "val": 2, "test": 4}, n_products=60, seed=3, width=240, height=320)


@pytest.fixture(scope="module")
def lookbook(tmp_path_factory):
    out = tmp_path_factory.mktemp("lookbook")
    return out, build_lookbook(out, CONFIG)


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_families_never_straddle_splits_and_every_partition_has_test_products(demo_products):
    split_of = split_families(demo_products, seed=7, fractions=(0.7, 0.1, 0.2))
    by_family: dict[str, set[str]] = {}
    for p in demo_products:
        by_family.setdefault(p.family, set()).add(split_of[p.product_id])
    assert all(len(splits) == 1 for splits in by_family.values())
    test_partitions = {(p.gender, p.category) for p in demo_products if split_of[p.product_id] == "test"}
    assert len(test_partitions) == 6
    share = Counter(split_of.values())
    assert 0.6 < share["train"] / len(demo_products) < 0.8


def test_scene_boxes_lie_inside_the_photo_and_name_the_outfit(demo_products):
    rng = random.Random(5)
    top = next(p for p in demo_products if p.gender == "women" and p.article_type == "shirt")
    bottom = next(p for p in demo_products if p.gender == "women" and p.article_type == "skirt")
    shoes = next(p for p in demo_products if p.gender == "women" and p.article_type == "boots")
    for _ in range(8):
        scene = render_scene(Outfit(top, bottom, shoes), "women", rng, 240, 320)
        assert scene.image.size == (240, 320)
        for b in scene.boxes:
            assert 0 <= b.x1 < b.x2 <= 240 and 0 <= b.y1 < b.y2 <= 320
        ids = {b.product_id for b in scene.boxes if b.label != "person"}
        assert ids <= {top.product_id, bottom.product_id, shoes.product_id}


def test_lookbook_writes_yolo_dataset_and_pairs_that_agree(lookbook):
    out, summary = lookbook
    assert summary["scenes"] == {"train": 6, "val": 2, "test": 4}
    yaml = (out / "yolo" / "data.yaml").read_text()
    assert "test: images/test" in yaml and "3: person" in yaml
    catalog = {row["product"]: row for row in read_jsonl(out / "products" / "catalog.jsonl")}
    for split in ("train", "val", "test"):
        images = sorted((out / "yolo" / "images" / split).glob("*.jpg"))
        assert len(images) == summary["scenes"][split]
        metas = read_jsonl(out / "scenes" / f"{split}.jsonl")
        for image, meta in zip(images, metas, strict=True):
            assert Image.open(image).size == (240, 320)
            rows = (out / "yolo" / "labels" / split / f"{image.stem}.txt").read_text().split("\n")
            labels = [line.split() for line in rows if line]
            assert [CLASSES[int(r[0])] for r in labels] == [b["label"] for b in meta["boxes"]]
            assert all(0 <= float(v) <= 1 for r in labels for v in r[1:])
        for pair in read_jsonl(out / "pairs" / f"{split}.jsonl"):
            assert catalog[pair["product"]]["split"] == split  # test scenes show only test products
            left, top, right, bottom = pair["bbox"]
            assert 0 <= left < right <= 1 and 0 <= top < bottom <= 1
    for row in catalog.values():
        for view in row["views"]:
            assert (out / "products" / row["product"] / f"{view}.jpg").is_file()


def test_same_config_gives_the_same_lookbook(lookbook, tmp_path):
    out, _ = lookbook
    build_lookbook(tmp_path, CONFIG, workers=2)
    for split in ("train", "test"):
        assert (tmp_path / "pairs" / f"{split}.jsonl").read_text() == (out / "pairs" / f"{split}.jsonl").read_text()
        first = sorted((out / "yolo" / "images" / split).glob("*.jpg"))[0]
        assert (tmp_path / "yolo" / "images" / split / first.name).read_bytes() == first.read_bytes()


def test_catalog_for_the_lookbook_matches_the_store(lookbook):
    out, _ = lookbook
    ids = [row["product"] for row in read_jsonl(out / "products" / "catalog.jsonl")]
    assert ids == [p.product_id for p in generate_catalog(60, 3)]


def test_a_stylist_lookbook_dresses_its_scenes_by_the_rules(tmp_path):
    from dataclasses import replace

    from synthetic.stylist import broken_rules

    config = replace(CONFIG, scenes={"train": 20, "val": 1, "test": 1}, outfits="stylist")
    build_lookbook(tmp_path, config)
    by_id = {p.product_id: p for p in generate_catalog(config.n_products, config.seed)}
    scenes = read_jsonl(tmp_path / "scenes" / "train.jsonl")
    styled = [s for s in scenes if s["styled"]]
    assert len(styled) >= 10  # about four in five of the 20
    for scene in styled:
        worn = [by_id[b["product_id"]] for b in scene["boxes"] if b.get("product_id")]
        assert len(worn) >= 2 and broken_rules(worn) == []
    with pytest.raises(ValueError, match="outfits must be"):
        build_lookbook(tmp_path / "bad", replace(CONFIG, outfits="vogue"))


def test_the_default_lookbook_is_random_outfits(lookbook):
    out, summary = lookbook
    assert summary["config"]["outfits"] == "random"
    assert not any(s["styled"] for s in read_jsonl(out / "scenes" / "train.jsonl"))
