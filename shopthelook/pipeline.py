"""Run a Look: photo, then garments and gender, then vectors, then the nearest products, stored."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from uuid import UUID

import numpy as np
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from PIL import Image

from catalog import taxonomy
from catalog.index_sync import catalog_index
from detection.boxes import Box
from detection.garments import garment_detector
from detection.gender import GenderGuess, gender_classifier
from detection.outfit import layout_garments, main_person, pick_garments
from detection.registry import ModelFileError
from embeddings.embedder import embedder, exact_match_margin
from embeddings.index import vector_to_bytes

from .models import Look, LookItem, Recommendation

logger = logging.getLogger(__name__)

KEPT_PER_ITEM = 40  # recommendations stored per item; the shopper's filters choose among these
BOTH = list(taxonomy.SHOPPER_GENDERS)
# The detector's classes that are catalog categories, in taxonomy order, and where each is worn.
GARMENTS = taxonomy.CATEGORY_NAMES
BODY_LAYOUT = {c.name: c.body_span for c in taxonomy.CATEGORIES}


def genders_to_search(choice: str, guess: GenderGuess | None) -> list[str]:
    """The shopper's choice wins; otherwise the classifier's, or both partitions when it is unsure."""
    if choice in ("men", "women"):
        return [choice]
    if choice == "all" or guess is None or not guess.confident():
        return BOTH
    return [guess.label]


def _stored_genders(look: Look, choice: str) -> list[str]:
    """genders_to_search from what the first analysis of `look` saw (no model runs again)."""
    return genders_to_search(choice, GenderGuess(look.p_women) if look.p_women is not None else None)


@contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    timings[stage] = round((time.perf_counter() - start) * 1000, 1)


def _set_status(look: Look, status: str) -> None:
    look.status = status
    Look.objects.filter(pk=look.pk).update(status=status)


def _recommend(item: LookItem, vector: np.ndarray, genders: Sequence[str], margin: float) -> list[Recommendation]:
    """The nearest products; the first is an "exact match" only if it clearly leads the second.

    The caller refreshes the index once for all of a look's items.
    """
    hits = catalog_index().search(vector, KEPT_PER_ITEM, genders, item.category, refresh=False)
    lead = hits[0].score - (hits[1].score if len(hits) > 1 else 0.0) if hits else 0.0
    return [
        Recommendation(item=item, product_id=h.id, rank=rank, similarity=h.score, exact=rank == 1 and lead >= margin)
        for rank, h in enumerate(hits, start=1)
    ]


def run_look(look_id: UUID | str) -> None:
    """Analyse a queued Look and store its items and recommendations; safe to run again after a crash."""
    look = Look.objects.filter(pk=look_id).first()
    if look is None or look.status == Look.Status.DONE:
        return
    started = timezone.now()
    Look.objects.filter(pk=look.pk).update(status=Look.Status.ANALYSING, started=started, attempts=F("attempts") + 1)
    look.status = Look.Status.ANALYSING
    timings = {"queue": round((started - look.created).total_seconds() * 1000, 1)}
    try:
        detector, classifier, model = garment_detector(), gender_classifier(), embedder()
        margin = exact_match_margin()
    except ModelFileError as exc:
        logger.error("look %s: %s", look.pk, exc)
        fail_look(look.pk, f"The service is not ready: {exc}")
        return

    with _timed(timings, "load"), look.photo.open("rb") as fh, Image.open(fh) as stored:
        image = stored.convert("RGB")
    with _timed(timings, "detect"):
        boxes = detector.detect(image)
        person = main_person(boxes)
        garments = pick_garments(boxes, person, GARMENTS)
    with _timed(timings, "gender"):
        guess = classifier.classify(image, person.as_tuple() if person else None)
    fallback = ""
    if not garments and person is not None:
        garments = layout_garments(person, image.width, image.height, BODY_LAYOUT)
        fallback = "No garment was detected on the person, so the regions are estimated from their outline."
    # No person and no garment: the look is done with no items, which the page shows as "nothing found".

    _set_status(look, Look.Status.MATCHING)
    with _timed(timings, "embed"):
        vectors = [model.embed(image, g.as_tuple()) for g in garments]
    genders = genders_to_search(look.gender_choice, guess)
    items = [_item(look, g, v, fallback) for g, v in zip(garments, vectors, strict=True)]
    with _timed(timings, "search"):
        catalog_index().refresh()
        recommendations = [_recommend(item, v, genders, margin) for item, v in zip(items, vectors, strict=True)]

    with _timed(timings, "store"), transaction.atomic():
        look.items.all().delete()  # a retried run replaces what a crashed one may have half-written
        for item, recs in zip(items, recommendations, strict=True):
            item.save()
            for rec in recs:
                rec.item = item
            Recommendation.objects.bulk_create(recs)
        look.p_women = guess.p_women
        look.gender_seen = guess.label if guess.confident() else ""
        look.searched_genders = ",".join(genders)
        look.fallback = fallback
        look.timings = timings
        look.status = Look.Status.DONE
        look.error = ""
        look.finished = timezone.now()
        look.save(
            update_fields=[
                "p_women",
                "gender_seen",
                "searched_genders",
                "fallback",
                "timings",
                "status",
                "error",
                "finished",
            ]
        )
    Look.objects.filter(pk=look.pk).update(timings=timings)  # now with the store stage's own time
    logger.info("look %s: %d items in %.0f ms", look.pk, len(items), sum(timings.values()) - timings["queue"])


def _item(look: Look, box: Box, vector: np.ndarray, fallback: str) -> LookItem:
    source = LookItem.Source.LAYOUT if fallback else LookItem.Source.DETECTOR
    return LookItem(
        look=look,
        category=box.label,
        source=source,
        score=box.score,
        x1=box.x1,
        y1=box.y1,
        x2=box.x2,
        y2=box.y2,
        vector=vector_to_bytes(vector),
    )


def rematch_look(look_id: UUID | str, gender_choice: str) -> None:
    """Search again for every item with another gender choice, reusing the stored vectors."""
    look = Look.objects.filter(pk=look_id).first()
    if look is None:
        return
    margin = exact_match_margin()
    genders = _stored_genders(look, gender_choice)
    start = time.perf_counter()
    catalog_index().refresh()
    with transaction.atomic():
        for item in look.items.all():
            item.recommendations.all().delete()
            Recommendation.objects.bulk_create(_recommend(item, item.embedding(), genders, margin))
        look.gender_choice = gender_choice
        look.searched_genders = ",".join(genders)
        look.status = Look.Status.DONE
        look.timings = {**look.timings, "rematch": round((time.perf_counter() - start) * 1000, 1)}
        look.save(update_fields=["gender_choice", "searched_genders", "status", "timings"])


def match_region(item_id: int) -> None:
    """Embed a box the shopper drew and recommend for it."""
    item = LookItem.objects.select_related("look").filter(pk=item_id).first()
    if item is None:
        return
    look = item.look
    with look.photo.open("rb") as fh, Image.open(fh) as stored:
        vector = embedder().embed(stored.convert("RGB"), item.box)
    genders = _stored_genders(look, look.gender_choice)
    catalog_index().refresh()
    with transaction.atomic():
        item.vector = vector_to_bytes(vector)
        item.save(update_fields=["vector"])
        item.recommendations.all().delete()
        Recommendation.objects.bulk_create(_recommend(item, vector, genders, exact_match_margin()))
        Look.objects.filter(pk=look.pk).update(status=Look.Status.DONE)


def fail_look(look_id: UUID | str, message: str) -> None:
    Look.objects.filter(pk=look_id).exclude(status=Look.Status.DONE).update(
        status=Look.Status.FAILED, error=message, finished=timezone.now()
    )


def stale_looks(max_age_seconds: int, max_attempts: int) -> list[UUID]:
    """Unfinished looks older than `max_age_seconds`: the ids to queue again; the hopeless are failed."""
    cutoff = timezone.now() - timezone.timedelta(seconds=max_age_seconds)
    stuck = Look.objects.filter(
        status__in=[Look.Status.QUEUED, Look.Status.ANALYSING, Look.Status.MATCHING], created__lt=cutoff
    )
    stuck.filter(attempts__gte=max_attempts).update(
        status=Look.Status.FAILED, error="The analysis did not finish. Please try again.", finished=timezone.now()
    )
    return list(stuck.filter(attempts__lt=max_attempts).values_list("pk", flat=True))
