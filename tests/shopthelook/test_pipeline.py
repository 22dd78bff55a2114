"""The look pipeline with the shipped models, run in-process on rendered scenes and a real photo."""

import io
from decimal import Decimal
from itertools import pairwise

import numpy as np
import pytest
from PIL import Image

from catalog.models import Product
from embeddings.compatibility import compatibility, type_shares
from shopthelook import pipeline
from shopthelook.completion import KEPT_PER_CATEGORY, worn_features
from shopthelook.models import Look, LookItem
from shopthelook.payloads import SHOWN_PER_ITEM, Filters, look_payload
from tests.shopthelook.demo_catalog import jpeg_of, look_from, scene

pytestmark = pytest.mark.django_db


def test_a_scene_gets_its_garments_found_and_the_worn_products_recommended(products, catalog, settings):
    # given: five scenes wearing catalog products, ranked by the embedder's similarity alone
    settings.LOOK_RANKING = "colour=0,texture=0,type=0"
    found, in_top10, total = 0, 0, 0
    for seed in range(5):
        shot = scene(products, ("men", "women")[seed % 2], seed)
        look = look_from(jpeg_of(shot))
        # when
        pipeline.run_look(look.pk)
        # then
        look.refresh_from_db()
        assert look.status == Look.Status.DONE, look.error
        assert set(look.timings) >= {"queue", "load", "detect", "pose", "gender", "embed", "search", "store"}
        assert look.p_women is not None and look.searched_genders
        worn = {b.label: catalog[b.product_id].pk for b in shot.boxes if b.product_id}
        for item in look.items.all():
            assert item.source in (LookItem.Source.DETECTOR, LookItem.Source.POSE)
            recs = list(item.recommendations.all())
            assert [r.rank for r in recs] == list(range(1, len(recs) + 1))
            assert all(a.similarity >= b.similarity for a, b in pairwise(recs))
            assert all(r.product.category == item.category for r in recs)
            assert not any(r.exact for r in recs[1:])  # only a clear winner can be the exact product
            if item.category in worn:
                found += 1
                in_top10 += worn[item.category] in [r.product_id for r in recs[:10]]
        total += len(worn)
    assert found >= 0.8 * total  # the detector finds most garments
    assert in_top10 >= 0.6 * found  # and the worn product is usually among the first ten


def test_rerunning_a_look_replaces_its_items(products, catalog):
    look = look_from(jpeg_of(scene(products, "men", 11)))
    pipeline.run_look(look.pk)
    first = sorted(look.items.values_list("category", flat=True))
    Look.objects.filter(pk=look.pk).update(status=Look.Status.ANALYSING)  # as if a worker died after storing
    pipeline.run_look(look.pk)
    look.refresh_from_db()
    assert sorted(look.items.values_list("category", flat=True)) == first
    assert look.attempts == 2


def test_switching_gender_rematches_without_detecting_again(products, catalog):
    look = look_from(jpeg_of(scene(products, "men", 3)))
    pipeline.run_look(look.pk)
    boxes = list(look.items.values_list("id", "x1", "y1"))
    pipeline.rematch_look(look.pk, "women")
    look.refresh_from_db()
    assert look.searched_genders == "women" and look.gender_choice == "women"
    assert list(look.items.values_list("id", "x1", "y1")) == boxes
    for item in look.items.all():
        assert item.recommendations.exists()
        assert {r.product.gender for r in item.recommendations.all()} <= {"women", "unisex"}


def test_a_drawn_region_gets_its_own_recommendations(products, catalog):
    shot = scene(products, "women", 5)
    look = look_from(jpeg_of(shot), "all")  # the region, not the gender classifier, is under test
    pipeline.run_look(look.pk)
    top = next(b for b in shot.boxes if b.label == "topwear")
    item = LookItem.objects.create(
        look=look, category="topwear", source="shopper", x1=top.x1, y1=top.y1, x2=top.x2, y2=top.y2
    )
    pipeline.match_region(item.pk)
    item.refresh_from_db()
    assert item.embedding().shape == (128,)
    assert item.article_type in ("tshirt", "hoodie", "jacket", "dress")  # named from the drawn box (no shirts)
    assert item.recommendations.count() > 10
    assert catalog[top.product_id].pk in [r.product_id for r in item.recommendations.all()[:10]]


def test_a_photo_without_a_person_is_done_with_nothing_found(catalog):
    # a landscape: sky over grass, no figure
    sky = np.zeros((480, 640, 3), np.uint8)
    sky[:300] = (135, 190, 235)
    sky[300:] = (70, 140, 60)
    out = io.BytesIO()
    Image.fromarray(sky).save(out, "JPEG")
    look = look_from(out.getvalue())
    pipeline.run_look(look.pk)
    look.refresh_from_db()
    assert look.status == Look.Status.DONE
    assert look.items.count() == 0


def test_a_corrupt_model_file_fails_the_look_naming_it_and_stores_nothing(products, catalog, tmp_path, monkeypatch):
    import shutil

    from detection.models.garment_names import garment_namer
    from detection.registry import WEIGHTS_DIR, forget_loaded

    # given a copy of weights/ whose garment namer file lost its second half
    shutil.copy(WEIGHTS_DIR / "manifest.json", tmp_path / "manifest.json")
    data = (WEIGHTS_DIR / "garment_namer.tflite").read_bytes()
    (tmp_path / "garment_namer.tflite").write_bytes(data[: len(data) // 2])
    monkeypatch.setattr(garment_namer, "_weights_dir", tmp_path)
    forget_loaded()
    look = look_from(jpeg_of(scene(products, "men", 2)))
    try:
        # when the worker takes the look
        pipeline.run_look(look.pk)
    finally:
        monkeypatch.undo()
        forget_loaded()
    # then it fails with the file named, and nothing of it is stored
    look.refresh_from_db()
    assert look.status == Look.Status.FAILED and "garment_namer.tflite" in look.error
    assert look.items.count() == 0 and look.complements.count() == 0


def test_a_real_photo_gets_items(catalog, capsys, real_photos):
    _, path = real_photos["basketball1.png"]  # fetched from Debian's opencv-doc (skipped only offline)
    with Image.open(path) as image:
        out = io.BytesIO()
        image.convert("RGB").save(out, "JPEG")
    look = look_from(out.getvalue())
    pipeline.run_look(look.pk)
    look.refresh_from_db()
    assert look.status == Look.Status.DONE
    items = list(look.items.all())
    assert items, "a photo of people must give items, from the detector or from layout"
    with capsys.disabled():  # the record the issue asks for, in the test log
        print(f"\n{path.name}: p_women={look.p_women:.2f}, fallback={look.fallback!r}")
        for item in items:
            top = item.recommendations.first()
            print(
                f"  {item.category} ({item.source}, {item.score:.2f})",
                f"box={[round(v) for v in item.box]} -> {top.product}",
            )


def _jpeg_of_file(path) -> bytes:
    with Image.open(path) as image:
        out = io.BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=92)
        return out.getvalue()


def test_an_upper_body_photo_is_completed_with_what_it_lacks_in_its_gender(products, catalog, real_photos):
    # given: a real photo of a woman from the waist up (a rendered figure cut at the waist is no longer taken
    # for a person: neither BlazePose nor the COCO detector sees one in it), for women only
    _, path = real_photos["astronaut.png"]
    look = look_from(_jpeg_of_file(path), "women")
    # when
    pipeline.run_look(look.pk)
    # then: a row for each category the photo lacks, none for the top it shows
    look.refresh_from_db()
    assert look.status == Look.Status.DONE, look.error
    shown = set(look.items.values_list("category", flat=True))
    assert "topwear" in shown and "footwear" not in shown
    rows = look_payload(look, Filters())["complete_the_look"]
    assert {r["category"] for r in rows} == {"topwear", "bottomwear", "footwear"} - shown
    for row in rows:
        assert len(row["products"]) == SHOWN_PER_ITEM and not row["in_photo"]
        stored = list(look.complements.filter(category=row["category"]))
        assert [c.rank for c in stored] == list(range(1, len(stored) + 1))
        assert all(a.score >= b.score for a, b in pairwise(stored))
        assert {c.product.gender for c in stored} <= {"women", "unisex"}
        assert {c.product.category for c in stored} == {row["category"]}
    assert "complete" in look.timings
    # each row is the partition's best by the whole model, the products' vectors, colours and
    # ImageNet classes: the index's search by the vector part only chooses which products are scored
    model = compatibility()
    assert all(item.worn_colours() is not None for item in look.items.all())
    assert all(item.worn_classes().shape == (1000,) for item in look.items.all())
    assert all(abs(item.worn_classes().sum() - 1) < 0.01 for item in look.items.all())  # a distribution
    worn = worn_features(model, look.items.all())
    for row in rows:
        category = row["category"]
        query = model.query_vector([(c, v) for c, v in worn if c != category], category)
        partition = Product.objects.in_partition("women", category).filter(in_stock=True, embedding__isnull=False)

        def whole(product, query=query):
            stored = product.embedding
            classes = stored.photo_classes()
            blocks = [stored.vectors(), stored.photo_colours(), model.classes.project(classes)]
            blocks += [type_shares(classes, model.types)] if model.types else []
            return (np.concatenate(blocks, axis=1) @ query).max()

        best = sorted(partition.select_related("embedding"), key=whole, reverse=True)[:KEPT_PER_CATEGORY]
        assert [c.product_id for c in look.complements.filter(category=category)] == [p.pk for p in best]
    # and the filters narrow the suggestions as they do the results
    cheap = sorted(c.product.price for c in look.complements.filter(category="footwear"))[3]
    filtered = look_payload(look, Filters(max_price=cheap))["complete_the_look"]
    shoes = next(r for r in filtered if r["category"] == "footwear")["products"]
    assert 1 <= len(shoes) <= 4 and all(Decimal(p["price"]) <= cheap for p in shoes)


def test_a_full_outfit_is_completed_only_when_the_shopper_asks(products, catalog):
    for seed in range(7, 17):  # a scene where all three garments are found
        look = look_from(jpeg_of(scene(products, "men", seed)), "men")
        pipeline.run_look(look.pk)
        look.refresh_from_db()
        if set(look.items.values_list("category", flat=True)) == {"topwear", "bottomwear", "footwear"}:
            break
    else:
        pytest.fail("no full outfit was found in ten scenes")
    assert look_payload(look, Filters())["complete_the_look"] == []
    asked = look_payload(look, Filters(complete=frozenset({"footwear"})))["complete_the_look"]
    assert [(r["category"], r["in_photo"]) for r in asked] == [("footwear", True)]
    assert asked[0]["products"]
    # switching gender ranks the suggestions again in the other partition
    pipeline.rematch_look(look.pk, "women")
    assert {c.product.gender for c in look.complements.all()} <= {"women", "unisex"}


def test_complete_must_name_categories():
    from django.http import QueryDict

    assert Filters.from_query(QueryDict("complete=all")).complete == {"topwear", "bottomwear", "footwear"}
    with pytest.raises(ValueError, match="complete must be"):
        Filters.from_query(QueryDict("complete=hats"))
