"""What a look stores of its people: each person's record, the garments to shop for one, and the gender read."""

from __future__ import annotations

from collections.abc import Sequence

from detection.boxes import Box
from detection.gender_reading import GenderReading
from detection.scene import SeenPerson

from .models import Look

LAYOUT_NOTE = "No garment was detected on the person, so the regions are estimated from their outline."


def stored_reading(look: Look) -> GenderReading | None:
    """The gender the first analysis read for the chosen person (no model runs again)."""
    record = shopped_record(look)
    if record is not None:
        return reading_of(record)
    return GenderReading(look.p_women, look.gender_source or "figure") if look.p_women is not None else None


def _rounded(box: Box) -> list[float]:
    return [round(float(v), 1) for v in box.as_tuple()]  # plain floats: landmarks arrive as NumPy's


def outfit_record(person: SeenPerson) -> dict:
    """What is known of a person without their gender, which may still be being read."""
    return {
        "box": _rounded(person.box),
        "shot": person.shot,
        "skin": [round(v, 1) for v in person.skin] if person.skin else None,  # worn colours leave it out
        "forearms": None if person.forearms is None else round(person.forearms, 3),  # the namer reads sleeves
        "garments": [garment_record(b, src) for b, src in person.garments],
    }


def garment_record(box: Box, source: str) -> dict:
    """One garment of a person's record: its category, box, score and where the box came from."""
    return {"category": box.label, "box": _rounded(box), "score": round(float(box.score), 3), "source": source}


def shopped_record(look: Look) -> dict | None:
    """The record of the person whose outfit the look shops, or None when nobody was seen."""
    people = look.people or []
    return people[look.person] if 0 <= look.person < len(people) else None


def person_record(person: SeenPerson) -> dict:
    """One person of a scene as stored on the Look (and shown by the API)."""
    g = person.gender
    return {
        **outfit_record(person),
        "facing": person.facing,
        "gender": {
            "p_women": None if g.p_women is None else round(float(g.p_women), 4),
            "source": g.source,
            "label": g.label,
        },
        "face": _rounded(person.face) if person.face else None,
    }


def garments_of(record: dict | None) -> tuple[list[Box], list[str], str]:
    """The boxes to shop for a stored person, their sources, and why they came from layout, if they did."""
    if record is None:
        return [], [], ""
    boxes = [Box(g["category"], g["score"], *g["box"]) for g in record["garments"]]
    sources = [g["source"] for g in record["garments"]]
    return boxes, sources, LAYOUT_NOTE if "layout" in sources else ""


READING_FIELDS = ("p_women", "gender_seen", "gender_source", "searched_genders")  # what set_reading sets


def set_reading(look: Look, reading: GenderReading | None, genders: Sequence[str]) -> None:
    """The shopped person's gender reading, and the partitions searched, onto the look (not saved)."""
    look.p_women = reading.p_women if reading else None
    look.gender_seen = reading.label if reading else ""
    look.gender_source = reading.source if reading else ""
    look.searched_genders = ",".join(genders)


def reading_of(record: dict) -> GenderReading:
    """The gender stored in a person's record, as the analysis read it."""
    return GenderReading(record["gender"]["p_women"], record["gender"]["source"])
