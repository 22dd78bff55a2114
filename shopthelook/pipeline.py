"""Run a Look: the photo read (detection.scene), each garment matched (matching), everything stored at once.

Also the shopper's changes to a finished look: another gender, another person, a drawn box, a corrected garment.
"""

from __future__ import annotations

import logging
import time
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from PIL import Image

from detection.registry import ModelFileError
from detection.scene import read_scene, shipped_models
from detection.threads import timed

from .completion import rank_complements, recomplete, replace_complements
from .lifecycle import fail_look, set_status
from .matching import genders_to_search, load_models, matched, read_drawn, recommend, refresh_catalog
from .models import Look, LookItem, Recommendation
from .records import (
    READING_FIELDS,
    garments_of,
    outfit_record,
    person_record,
    reading_of,
    set_reading,
    shopped_record,
    stored_reading,
)

logger = logging.getLogger(__name__)


def run_look(look_id: UUID | str, worker: str = "") -> None:
    """Analyse a queued Look and store its items and recommendations; safe to run again after a crash.

    `worker` names the Celery node, so that node, restarted after a crash, can queue again what it held.
    """
    look = Look.objects.filter(pk=look_id).first()
    if look is None or look.status == Look.Status.DONE:
        return
    started = timezone.now()
    Look.objects.filter(pk=look.pk).update(
        status=Look.Status.ANALYSING, started=started, attempts=F("attempts") + 1, worker=worker
    )
    look.status = Look.Status.ANALYSING
    timings = {"queue": round((started - look.created).total_seconds() * 1000, 1)}
    try:
        # A missing file fails here, named.
        models = shipped_models(settings.LOOK_OVERLAP_MODELS)
        # Not the compatibility model: without one the look is still shopped, only not completed.
        load_models()
    except ModelFileError as exc:
        logger.error("look %s: %s", look.pk, exc)
        fail_look(look.pk, f"The service is not ready: {exc}")
        return

    with timed(timings, "load"):
        image = _load_photo(look)
    scene = read_scene(image, models, timings)
    main = scene.main
    record = outfit_record(main) if main else None
    garments, sources, fallback = garments_of(record)
    # Nobody in the photo: the look is done with no items, which the page shows as "nothing found".

    set_status(look, Look.Status.MATCHING)
    mask_over = main.mask_over if main and settings.LOOK_MASK_CROPS else None
    # The gender is asked for only once the garments are embedded: it is read beside them.
    whose = (lambda: main.gender) if main else (lambda: None)
    items, recommendations, genders = matched(
        look, image, garments, sources, whose, mask_over, timings, record, models.background
    )
    with timed(timings, "complete"):
        complements = rank_complements(look, items, genders)
    reading = whose()
    people = [person_record(p) for p in scene.people]

    with timed(timings, "store"), transaction.atomic():
        look.items.all().delete()  # a retried run replaces what a crashed one may have half-written
        _store_items(items, recommendations)
        replace_complements(look, complements)
        look.people = people
        look.person = 0
        set_reading(look, reading, genders)
        look.fallback = fallback
        look.timings = timings
        look.status = Look.Status.DONE
        look.error = ""
        look.finished = timezone.now()
        look.save(
            update_fields=["people", "person", *READING_FIELDS, "fallback", "timings", "status", "error", "finished"]
        )
    Look.objects.filter(pk=look.pk).update(timings=timings)  # now with the store stage's own time
    logger.info("look %s: %d items in %.0f ms", look.pk, len(items), sum(timings.values()) - timings["queue"])


def _load_photo(look: Look) -> Image.Image:
    with look.photo.open("rb") as fh:
        stored = Image.open(fh)
        stored.load()  # decoded now, so it outlives the closed file
    # Stored photos are RGB already: no copy (a copy of a fresh 5 MB costs ~5 ms of page faults).
    return stored if stored.mode == "RGB" else stored.convert("RGB")


def _store_items(items: list[LookItem], recommendations: list[list[Recommendation]]) -> None:
    # One INSERT each; the recommendations take their items' keys, which the first gives back.
    LookItem.objects.bulk_create(items)
    Recommendation.objects.bulk_create([rec for recs in recommendations for rec in recs])


def shop_person(look_id: UUID | str, index: int) -> None:
    """Shop another person of the photo: their stored garments are embedded and matched; nobody is detected again."""
    look = Look.objects.filter(pk=look_id).first()
    if look is None or not 0 <= index < len(look.people):
        return
    record = look.people[index]
    garments, sources, fallback = garments_of(record)
    image = _load_photo(look)
    start = time.perf_counter()
    reading = reading_of(record)
    # No person mask here: it lives only while the photo is first read (masked crops are off anyway).
    # A person stored before skin or forearms were read has neither: both are then left out.
    items, recommendations, genders = matched(look, image, garments, sources, lambda: reading, None, None, record)
    with transaction.atomic():
        look.items.exclude(source=LookItem.Source.SHOPPER).delete()  # the boxes the shopper drew stay
        _store_items(items, recommendations)
        recomplete(look, genders)  # from the new person's garments and any boxes the shopper drew
        look.person = index
        set_reading(look, reading, genders)
        look.fallback = fallback
        look.status = Look.Status.DONE
        look.error = ""
        look.timings = {**look.timings, "person": round((time.perf_counter() - start) * 1000, 1)}
        look.save(update_fields=["person", *READING_FIELDS, "fallback", "status", "error", "timings"])


def rematch_look(look_id: UUID | str, gender_choice: str) -> None:
    """Search again for every item with another gender choice, reusing the stored vectors."""
    look = Look.objects.filter(pk=look_id).first()
    if look is None:
        return
    genders = genders_to_search(gender_choice, stored_reading(look))
    start = time.perf_counter()
    refresh_catalog()
    items = list(look.items.all())
    found = recommend(items, [item.embedding() for item in items], genders)
    with transaction.atomic():
        Recommendation.objects.filter(item__in=items).delete()
        Recommendation.objects.bulk_create([rec for recs in found for rec in recs])
        recomplete(look, genders)
        look.gender_choice = gender_choice
        look.searched_genders = ",".join(genders)
        look.status = Look.Status.DONE
        look.error = ""
        look.timings = {**look.timings, "rematch": round((time.perf_counter() - start) * 1000, 1)}
        look.save(update_fields=["gender_choice", "searched_genders", "status", "error", "timings"])


def rematch_item(item_id: int) -> None:
    """Search again for a garment whose type or colour the shopper corrected (looks.correct_item has stored
    their word on the item); its stored vector is reused, nothing is detected or embedded again."""
    item = LookItem.objects.select_related("look").filter(pk=item_id).first()
    if item is None:
        return
    look = item.look
    genders = genders_to_search(look.gender_choice, stored_reading(look))
    refresh_catalog()
    (recs,) = recommend([item], [item.embedding()], genders)
    with transaction.atomic():
        item.recommendations.all().delete()
        Recommendation.objects.bulk_create(recs)
        recomplete(look, genders)  # complete the look reads the corrected garment too
        Look.objects.filter(pk=look.pk).update(status=Look.Status.DONE, error="")


def match_region(item_id: int) -> None:
    """Embed a box the shopper drew and recommend for it."""
    item = LookItem.objects.select_related("look").filter(pk=item_id).first()
    if item is None:
        return
    look = item.look
    photo = _load_photo(look)
    genders = genders_to_search(look.gender_choice, stored_reading(look))
    vector = read_drawn(item, photo, shopped_record(look) or {}, [i.box for i in look.items.exclude(pk=item.pk)])
    (recs,) = recommend([item], [vector], genders)
    with transaction.atomic():
        item.save(update_fields=["vector", "colours", "colour_name", "classes", "article_type", "article_score"])
        item.recommendations.all().delete()
        Recommendation.objects.bulk_create(recs)
        recomplete(look, genders)  # the drawn garment is worn too
        Look.objects.filter(pk=look.pk).update(status=Look.Status.DONE, error="")
