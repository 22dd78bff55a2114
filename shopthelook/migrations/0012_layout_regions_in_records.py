"""Looks stored before the scene made layout regions: their pose-less, garment-less people get them in the record.

Until then the regions were made when a look was matched, from the stored record; now the scene
stores them, and matching reads only the record. Without this, shopping such a person again (or
rematching the look) would find nothing where it found layout regions before.
"""

from django.db import migrations


def layout_regions(record: dict, height: int) -> list[dict]:
    """The layout regions of a stored person, as the scene now stores them (detection.scene)."""
    from detection.boxes import Box
    from detection.outfit import layout_garments
    from shopthelook.records import garment_record

    boxes = layout_garments(Box("person", 0.0, *record["box"]), height)
    return [garment_record(b, "layout") for b in boxes]


def add_layout_regions(apps, schema_editor):
    Look = apps.get_model("shopthelook", "Look")
    for look in Look.objects.exclude(people=None).only("pk", "people", "height").iterator():
        people = look.people or []
        bare = [p for p in people if p.get("shot") == "unknown" and not p.get("garments")]
        for person in bare:
            person["garments"] = layout_regions(person, look.height)
        if bare:
            look.save(update_fields=["people"])


class Migration(migrations.Migration):
    dependencies = [("shopthelook", "0011_taxonomy_choices")]

    operations = [migrations.RunPython(add_layout_regions, migrations.RunPython.noop)]
