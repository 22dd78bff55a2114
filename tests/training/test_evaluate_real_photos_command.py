"""`evaluate_real_photos` on a labels file of its own: the figures are measured from the photos and their labels."""

import hashlib
import json
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from tests.shopthelook.demo_catalog import demo_products, jpeg_of, scene

# (gender, seed): figures facing front in a top, a bottom and shoes, whose figure the classifier is sure of
PEOPLE = (("men", 0), ("women", 1))


def _labels(folder: Path, corrupt: bool = False) -> Path:
    """Two rendered photos in `folder`, labelled from their ground truth; `corrupt` flips each gender and puts
    each garment's box in a corner the garment is not in."""
    products = {p.product_id: p for p in demo_products()}
    folder.mkdir(parents=True, exist_ok=True)
    photos = {}
    for gender, seed in PEOPLE:
        rendered = scene(list(products.values()), gender, seed)
        data = jpeg_of(rendered)
        name = f"{gender}-{seed}.jpg"
        (folder / name).write_bytes(data)  # already fetched: the package below is never read
        person = next(b for b in rendered.boxes if b.label == "person")
        garments = {}
        for box in (b for b in rendered.boxes if b.product_id):
            product = products[box.product_id]
            where = [0, 0, 4, 4] if corrupt else [box.x1, box.y1, box.x2, box.y2]
            garments[box.label] = {"box": where, "colour": [product.colour_name], "types": [product.article_type]}
        photos[name] = {
            "source": {
                "registry": "pypi",
                "package": "not-fetched",
                "version": "0",
                "licence": "unclear",
                "member": name,
                "sha256": hashlib.sha256(data).hexdigest(),
            },
            "main": {
                "box": [person.x1, person.y1, person.x2, person.y2],
                "gender": {"men": "women", "women": "men"}[gender] if corrupt else gender,
                "garments": garments,
                "not_visible": [],
            },
            "others": [],
            "split": "dev",
        }
    path = folder / ("corrupt.json" if corrupt else "labels.json")
    path.write_text(json.dumps({"about": "rendered figures, labelled from their ground truth", "photos": photos}))
    return path


def _evaluate(labels: Path, tmp_path: Path) -> dict:
    out = StringIO()
    call_command(
        "evaluate_real_photos",
        labels=labels,
        photos=labels.parent,
        cache=tmp_path / "cache",
        pictures=tmp_path / "pictures",
        no_catalog=True,
        json=True,
        stdout=out,
    )
    figures = json.loads(out.getvalue())
    assert figures["test"]["photos"] == 0  # every photo here is labelled dev
    return figures["dev"]


def test_the_figures_follow_the_labels(tmp_path):
    # given two rendered photos labelled truly, and the same photos labelled wrongly
    true, wrong = _labels(tmp_path / "photos"), _labels(tmp_path / "photos", corrupt=True)
    # when both are scored
    figures, on_wrong = _evaluate(true, tmp_path), _evaluate(wrong, tmp_path)
    # then each figure is measured from the photos and the labels given
    assert figures["photos"] == on_wrong["photos"] == len(PEOPLE)
    assert figures["main_person_found"] == 1.0 and figures["visible_garments"] == 3 * len(PEOPLE)
    assert figures["visible_found"] >= 0.5 and figures["box_iou_mean"] > 0.3
    assert on_wrong["visible_found"] == 0.0 and on_wrong["box_iou_mean"] is None  # boxes nowhere near
    assert figures["gender_accuracy"] > 0.5  # both figures are read with P(women) past 0.2 / 0.8
    assert on_wrong["gender_accuracy"] == round(1 - figures["gender_accuracy"], 3)  # not sure counts half
    for reader in ("garment_namer", "article_classifier"):
        assert figures["labelled_boxes_named_right"][reader]["boxes"] == 3 * len(PEOPLE)
    assert figures["named_right"] is None  # names come from the pipeline's page: not run without the catalog
    assert sorted(p.name for p in (tmp_path / "pictures").iterdir()) == ["men-0.png", "women-1.png"]
