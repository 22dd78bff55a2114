"""The compatibility model's outfits from a scraped catalog's model shots, boxed by the shipped detector."""

import json

import pytest
from django.core.management import call_command

from catalog.product_vectors import embed_products
from synthetic.designs import generate_catalog
from synthetic.site import DemoStore
from tests.shopthelook.demo_catalog import ingest
from training.catalog_outfits import family_split
from training.outfit_sources import load_outfits

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def stylist_catalog():
    # given: a shop whose model shots the stylist dressed, scraped with its front photos and model shots
    products = generate_catalog(240, 515)
    stored = ingest(products, ("front", "model"), DemoStore(products))
    embed_products([p.pk for p in stored.values()])
    return stored


def test_family_splits_are_stable_and_near_their_shares():
    assert family_split("demo:DS00012") == family_split("demo:DS00012")
    shares = [family_split(f"demo:F{i}") for i in range(2000)]
    assert 0.65 < shares.count("train") / 2000 < 0.75 and 0.15 < shares.count("test") / 2000 < 0.25


def test_each_model_shot_is_an_outfit_around_its_product(stylist_catalog, tmp_path, capsys):
    # when
    data = load_outfits("catalog", tmp_path)
    # then: one outfit per shot the detector could box; the product is the garment of its category
    outfits = [o for split in data.outfits.values() for o in split]
    assert len(outfits) > 0.8 * len(stylist_catalog)
    index = data.products.index()
    for split, group in data.outfits.items():
        for outfit in group:
            known = [g for g in outfit.garments if g.product is not None]
            assert len(known) == 1 and len(outfit.garments) >= 2
            assert data.products.split[index[known[0].product]] == split  # no family in two splits
            assert all(g.crop.shape == (128,) for g in outfit.garments)
    # and the commands train on them, and score the shipped model on the held-out shots
    call_command("train_compatibility", source="catalog", epochs=2, no_ship=True)
    assert "kept epoch" in capsys.readouterr().out
    call_command("evaluate_compatibility", source="catalog", out=tmp_path / "reports")
    report = json.loads((tmp_path / "reports" / "compatibility.json").read_text())
    assert report["model"]["all"]["questions"] > 0
    assert (tmp_path / "reports" / "scores.png").stat().st_size > 0
    assert (tmp_path / "reports" / "examples.png").stat().st_size > 0
