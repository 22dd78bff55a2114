"""The migrations match the models, and looks stored before the scene made layout regions keep them."""

import importlib

import pytest
from django.apps import apps
from django.core.management import call_command
from PIL import Image

from detection.scene import read_scene
from shopthelook.models import Look
from shopthelook.records import LAYOUT_NOTE, garments_of, outfit_record
from tests.detection.test_scene import PERSON, models_seeing

pytestmark = pytest.mark.django_db

layout_migration = importlib.import_module("shopthelook.migrations.0012_layout_regions_in_records")


def test_the_models_need_no_migration_the_repository_lacks():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)  # SystemExit(1) when one is missing


def test_a_look_stored_before_the_scene_made_layout_regions_gets_the_regions_the_scene_now_stores():
    # given a look stored as the worker stored it before: a person with no pose and no garment, and one with a pose
    seen = {"box": list(PERSON.as_tuple()), "shot": "unknown", "garments": []}
    posed = {"box": [10.0, 10.0, 90.0, 300.0], "shot": "upper body", "garments": []}
    look = Look.objects.create(photo="looks/old.jpg", width=400, height=800, people=[seen, posed])

    # when the migration runs
    layout_migration.add_layout_regions(apps, None)

    # then the first gets the regions the scene stores today for the same person, the second nothing
    (now,) = read_scene(Image.new("RGB", (400, 800)), models_seeing([PERSON])).people
    people = Look.objects.get(pk=look.pk).people
    assert people[0]["garments"] == outfit_record(now)["garments"] and len(people[0]["garments"]) == 3
    assert people[1]["garments"] == []
    # and shopping the first finds them, saying they came from layout
    boxes, sources, note = garments_of(people[0])
    assert [b.label for b in boxes] == ["topwear", "bottomwear", "footwear"] and set(sources) == {"layout"}
    assert note == LAYOUT_NOTE
