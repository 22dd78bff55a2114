"""Run as a program with SHOPTHELOOK_TAXONOMY set: prints, as JSON, what each consumer of the taxonomy made of it.

The taxonomy is read once, when the modules are imported, so a test that tries another taxonomy
runs this in a process of its own (tests/test_taxonomy.py).
"""

import json
import os
import sys

import django
import numpy as np


def probe() -> dict:
    from catalog import search
    from catalog.models import Product
    from detection import body, garment_colours, taxonomy
    from detection.boxes import Box
    from embeddings import compatibility
    from scraper.parsing import article_type_from_title
    from scraper.profiles import PROFILE_DIR, ProfileError, parse_profile
    from shopthelook.models import LookItem
    from synthetic import vocabulary
    from tests.detection.test_body import standing

    profile = json.loads((PROFILE_DIR / "demo.json").read_text())
    out: dict = {"profiles": {}}
    for category in ("bags", "hats"):
        extra = {"term": "Mens X", "url": "/x", "gender": "men", "category": category}
        try:
            parse_profile({**profile, "start_urls": [*profile["start_urls"], extra]})
            out["profiles"][category] = "accepted"
        except ProfileError:
            out["profiles"][category] = "refused"
    pose = standing()
    parts = body.body_parts(pose, 1000, 1000)
    regions = body.pose_regions(pose, parts, 1000, 1000)
    person = Box("person", 1.0, 300, 0, 700, 1000)
    bag = Box("bags", 0.8, 600, 400, 700, 520)
    model = compatibility.compatibility()
    out |= {
        "product_choices": [v for v, _ in Product._meta.get_field("category").choices],
        "item_choices": [v for v, _ in LookItem._meta.get_field("category").choices],
        "partitions": list(search.ALL_PARTITIONS),
        "detector_classes": list(taxonomy.DETECTOR_CLASSES),
        "synthetic_classes": list(vocabulary.DETECTOR_CLASSES),
        "regions": sorted(regions),
        "fused": sorted((b.label, src) for b, src in body.fused(regions, {"bags": bag}, person)),
        "colour_regions": {c: list(r) for c, r in garment_colours.WORN_REGIONS.items()},
        "off_backdrop": sorted(garment_colours.OFF_BACKDROP),
        "compatibility_blocks": list(compatibility.CATEGORIES),
        "shipped_model_completes": {c: model.completes(c) for c in taxonomy.CATEGORY_NAMES},
        "title_type": article_type_from_title("Leather tote bag"),
        "grey_share": {c: _grey_share(garment_colours, c) for c in ("bags", "outerwear")},
    }
    out["page"] = _page()
    return out


def _grey_share(garment_colours, category: str) -> float:
    """How much of a red square on grey, boxed with grey around it, `category`'s worn colours read as grey."""
    from PIL import Image

    pixels = np.full((64, 64, 3), 120, np.uint8)
    pixels[20:40, 20:40] = (200, 30, 30)
    read = garment_colours.worn_colours(Image.fromarray(pixels), (10, 10, 50, 50), category)
    histogram = read[: garment_colours.HISTOGRAM].reshape(len(garment_colours.LIGHTNESS_BINS), -1)
    return round(float(histogram[:, garment_colours.CLASSES.index("achromatic")].sum()), 3)


def _page() -> str:
    """The look page's HTML for a look in a fresh test database."""
    from django.test import Client
    from django.test.runner import DiscoverRunner
    from django.test.utils import setup_test_environment

    from shopthelook.models import Look

    setup_test_environment()
    runner = DiscoverRunner(verbosity=0)
    old = runner.setup_databases()
    try:
        look = Look.objects.create(status=Look.Status.DONE, photo="looks/probe.jpg")  # the page only links it
        return Client().get(f"/looks/{look.pk}/").content.decode()
    finally:
        runner.teardown_databases(old)


if __name__ == "__main__":
    assert os.environ.get("SHOPTHELOOK_TAXONOMY"), "set SHOPTHELOOK_TAXONOMY to the taxonomy to probe"
    django.setup()
    json.dump(probe(), sys.stdout)
