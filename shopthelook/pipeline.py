"""Run a Look: photo, then garments and gender, then vectors, then the nearest products, stored."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from concurrent.futures import Executor
from uuid import UUID

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from PIL import Image

from catalog import taxonomy
from catalog.colour_names import colour_names
from catalog.index_sync import catalog_index
from catalog.ranking_rows import ranking_rows
from detection.boxes import Box, masked_crop
from detection.garment_colours import worn_colours
from detection.garment_names import garment_namer
from detection.imagenet_classes import classes_to_bytes
from detection.outfit import layout_garments
from detection.registry import ModelFileError
from detection.scene import GenderReading, SeenPerson, later, read_scene, shipped_models, timed
from embeddings.embedder import embedder, exact_match_rule
from embeddings.index import vector_from_bytes, vector_to_bytes
from embeddings.ranking import RankWeights, Worn, rerank

from .completion import rank_complements, recomplete, replace_complements
from .models import Look, LookItem, Recommendation

logger = logging.getLogger(__name__)

KEPT_PER_ITEM = 40  # recommendations stored per item; the shopper's filters choose among these
RANKED_PER_ITEM = 120  # the embedder's nearest products the ranking chooses those from
BOTH = list(taxonomy.SHOPPER_GENDERS)
BODY_LAYOUT = {c.name: c.body_span for c in taxonomy.CATEGORIES}
CATALOG_BACKDROP = (246, 246, 244)  # the studio grey of the catalog's product photos
LAYOUT_NOTE = "No garment was detected on the person, so the regions are estimated from their outline."


def genders_to_search(choice: str, reading: GenderReading | None) -> list[str]:
    """The shopper's choice wins; otherwise what the analysis read, or both partitions when it is unsure."""
    if choice in ("men", "women"):
        return [choice]
    if choice == "all" or reading is None or not reading.label:
        return BOTH
    return [reading.label]


def _stored_reading(look: Look) -> GenderReading | None:
    """The gender the first analysis read for the chosen person (no model runs again)."""
    people = look.people or []
    if 0 <= look.person < len(people):
        g = people[look.person]["gender"]
        return GenderReading(g["p_women"], g["source"])
    return GenderReading(look.p_women, look.gender_source or "figure") if look.p_women is not None else None


def _set_status(look: Look, status: str) -> None:
    look.status = status
    Look.objects.filter(pk=look.pk).update(status=status)


def _recommend(items: Sequence[LookItem], vectors: Sequence[np.ndarray], genders: Sequence[str], rule):
    """Each item's nearest products, re-ranked to look like the garment (embeddings.ranking): a list of
    Recommendations per item. The first is an "exact match" only where true matches lie (see
    exact_match_rule), and then it stays first.

    The caller refreshes the index once for all of a look's items; the products' colours are read
    for all of them at once.
    """
    found = [
        catalog_index().search(v, RANKED_PER_ITEM, genders, item.category, refresh=False)
        for item, v in zip(items, vectors, strict=True)
    ]
    weights = RankWeights.parse(settings.LOOK_RANKING)
    out = []
    for item, hits, candidates in zip(items, found, ranking_rows.candidates(found), strict=True):
        exact = bool(hits) and rule.is_exact(hits[0].score, hits[1].score if len(hits) > 1 else None)
        worn = _worn(item)
        if exact and worn.chosen_colour and candidates[0].colour_name.lower() != worn.chosen_colour.lower():
            exact = False  # the shopper says the garment is another colour: not this product
        # The embedder's first stays first (it is the exact product when the catalog has it: re-ranking it
        # away cost a third of the lookbook's Recall@1), unless the shopper corrected the garment.
        corrected = item.type_chosen or item.colour_chosen
        ranked = rerank(worn, candidates, weights, keep_first=exact or not corrected)
        out.append(
            [
                Recommendation(
                    item=item, product_id=c.product_id, rank=rank, similarity=c.similarity, exact=exact and rank == 1
                )
                for rank, (c, _) in enumerate(ranked[:KEPT_PER_ITEM], start=1)
            ]
        )
    return out


def _worn(item: LookItem) -> Worn:
    """The garment as the ranking compares it: what was read of it, or what the shopper said it is."""
    colours = vector_from_bytes(bytes(item.colours))
    return Worn(
        colours,
        item.article_type,
        1.0 if item.type_chosen else item.article_score or 0.0,
        item.colour_name if item.colour_chosen else "",
        colour_names.scores(colours) if len(colours) else {},
    )


def _refresh_catalog() -> None:
    """The index and the colour names as the catalog is now: once a look (or a change), not once an item."""
    index = catalog_index()
    index.refresh()
    colour_names.refresh(getattr(index, "stamp", None))  # the pgvector index keeps no stamp: a query reads it


def _rounded(box: Box) -> list[float]:
    return [round(float(v), 1) for v in box.as_tuple()]  # plain floats: landmarks arrive as NumPy's


def _outfit_record(person: SeenPerson) -> dict:
    """What is known of a person without their gender, which may still be being read."""
    return {
        "box": _rounded(person.box),
        "shot": person.shot,
        "skin": [round(v, 1) for v in person.skin] if person.skin else None,  # worn colours leave it out
        "forearms": None if person.forearms is None else round(person.forearms, 3),  # the namer reads sleeves
        "garments": [
            {"category": b.label, "box": _rounded(b), "score": round(float(b.score), 3), "source": src}
            for b, src in person.garments
        ],
    }


def person_record(person: SeenPerson) -> dict:
    """One person of a scene as stored on the Look (and shown by the API)."""
    g = person.gender
    return {
        **_outfit_record(person),
        "facing": person.facing,
        "gender": {
            "p_women": None if g.p_women is None else round(float(g.p_women), 4),
            "source": g.source,
            "label": g.label,
        },
        "face": _rounded(person.face) if person.face else None,
    }


def _garments_of(record: dict | None, width: int, height: int) -> tuple[list[Box], list[str], str]:
    """The boxes to shop for a stored person, their sources, and why they came from layout, if they did."""
    if record is None:
        return [], [], ""
    boxes = [Box(g["category"], g["score"], *g["box"]) for g in record["garments"]]
    sources = [g["source"] for g in record["garments"]]
    if boxes or record["shot"] != "unknown":
        return boxes, sources, ""
    # A person only the garment detector saw, without a garment: estimate regions from their box.
    boxes = layout_garments(Box("person", 0.0, *record["box"]), width, height, BODY_LAYOUT)
    return boxes, ["layout"] * len(boxes), LAYOUT_NOTE


def _load_photo(look: Look) -> Image.Image:
    with look.photo.open("rb") as fh:
        stored = Image.open(fh)
        stored.load()  # decoded now, so it outlives the closed file
    # Stored photos are RGB already: no copy (a copy of a fresh 5 MB costs ~5 ms of page faults).
    return stored if stored.mode == "RGB" else stored.convert("RGB")


def _matched(
    look: Look,
    image: Image.Image,
    garments: list[Box],
    sources: list[str],
    whose,
    mask_over,
    timings,
    wearer,
    pool: Executor | None = None,
):
    """(items, their recommendations, genders searched): each garment embedded and searched in its partition.

    `whose()` gives the gender reading, which may wait for the scene's second thread; `wearer` is the
    person's record (its skin and forearms are read), or None. The garments are embedded on `pool` (the
    scene's second thread, after the genders) while this thread reads their colours and names.
    """
    skin, forearms = (wearer or {}).get("skin"), (wearer or {}).get("forearms")
    model, rule = embedder(), exact_match_rule()
    embedded = later(pool, _embedded, model, image, garments, mask_over, timings)
    with timed(timings, "colours"):
        colours = [worn_colours(image, g.as_tuple(), g.label, skin) for g in garments]
    items = [_item(look, g, c, src) for g, c, src in zip(garments, colours, sources, strict=True)]
    with timed(timings, "name"):  # before the gender is asked for: the second thread may still be reading it
        for item in items:
            _name_item(item, image, [i.box for i in items if i is not item], forearms)
    # A group photo keeps the second thread busy with everybody's gender: not started yet, the embedding
    # is taken back and done here, so it never waits behind the others' readings.
    taken_back = embedded.cancel()
    vectors = _embedded(model, image, garments, mask_over, timings) if taken_back else []
    with timed(timings, "waited"):
        vectors = vectors if taken_back else embedded.result()
        genders = genders_to_search(look.gender_choice, whose())
    for item, vector in zip(items, vectors, strict=True):
        item.vector = vector_to_bytes(vector)
    with timed(timings, "search"):
        _refresh_catalog()
        for item, read in zip(items, colours, strict=True):
            item.colour_name = colour_names.read(read)  # the catalog's name for it, as the catalog is now
        recommendations = _recommend(items, vectors, genders, rule)
    return items, recommendations, genders


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
        for load in (embedder, exact_match_rule, garment_namer):
            load()
    except ModelFileError as exc:
        logger.error("look %s: %s", look.pk, exc)
        fail_look(look.pk, f"The service is not ready: {exc}")
        return

    with timed(timings, "load"):
        image = _load_photo(look)
    scene = read_scene(image, models, timings)
    main = scene.main
    record = _outfit_record(main) if main else None
    garments, sources, fallback = _garments_of(record, image.width, image.height)
    # Nobody in the photo: the look is done with no items, which the page shows as "nothing found".

    _set_status(look, Look.Status.MATCHING)
    mask_over = main.mask_over if main and settings.LOOK_MASK_CROPS else None
    # The gender is asked for only once the garments are embedded: it is read beside them.
    whose = (lambda: main.gender) if main else (lambda: None)
    items, recommendations, genders = _matched(
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
        _set_reading(look, reading, genders)
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


def _embedded(model, image: Image.Image, garments: list[Box], mask_over, timings) -> list[np.ndarray]:
    with timed(timings, "embed"):
        return [_embed(model, image, g, mask_over) for g in garments]


def _embed(model, image: Image.Image, box: Box, mask_over) -> np.ndarray:
    """A garment's vector: of its crop, or of its crop on the catalog's plain backdrop when masking is on."""
    if mask_over is None:
        return model.embed(image, box.as_tuple())
    return model.embed(masked_crop(image, box.as_tuple(), mask_over, CATALOG_BACKDROP), None)


READING_FIELDS = ("p_women", "gender_seen", "gender_source", "searched_genders")  # what _set_reading sets


def _set_reading(look: Look, reading: GenderReading | None, genders: Sequence[str]) -> None:
    """The shopped person's gender reading, and the partitions searched, onto the look (not saved)."""
    look.p_women = reading.p_women if reading else None
    look.gender_seen = reading.label if reading else ""
    look.gender_source = reading.source if reading else ""
    look.searched_genders = ",".join(genders)


def _store_items(items: list[LookItem], recommendations: list[list[Recommendation]]) -> None:
    LookItem.objects.bulk_create(items)  # one INSERT each: the database gives back the items' keys
    for item, recs in zip(items, recommendations, strict=True):
        for rec in recs:
            rec.item = item
    Recommendation.objects.bulk_create([rec for recs in recommendations for rec in recs])


def shop_person(look_id: UUID | str, index: int) -> None:
    """Shop another person of the photo: their stored garments are embedded and matched; nobody is detected again."""
    look = Look.objects.filter(pk=look_id).first()
    if look is None or not 0 <= index < len(look.people):
        return
    record = look.people[index]
    garments, sources, fallback = _garments_of(record, look.width, look.height)
    image = _load_photo(look)
    start = time.perf_counter()
    reading = GenderReading(record["gender"]["p_women"], record["gender"]["source"])
    # No person mask here: it lives only while the photo is first read (masked crops are off anyway).
    # A person stored before skin or forearms were read has neither: both are then left out.
    items, recommendations, genders = _matched(look, image, garments, sources, lambda: reading, None, None, record)
    with transaction.atomic():
        look.items.exclude(source=LookItem.Source.SHOPPER).delete()  # the boxes the shopper drew stay
        _store_items(items, recommendations)
        recomplete(look, genders)  # from the new person's garments and any boxes the shopper drew
        look.person = index
        _set_reading(look, reading, genders)
        look.fallback = fallback
        look.status = Look.Status.DONE
        look.error = ""
        look.timings = {**look.timings, "person": round((time.perf_counter() - start) * 1000, 1)}
        look.save(update_fields=["person", *READING_FIELDS, "fallback", "status", "error", "timings"])


def _name_item(
    item: LookItem, image: Image.Image, others: list[tuple[float, float, float, float]], forearms: float | None = None
) -> None:
    """The garment's article type ("Jacket", not "Topwear") and its probability, and every ImageNet class's,
    read from the photo (not saved).

    On the labelled real photos the ImageNet classifier's garment classes name 14 of 24 garments
    right, where the type of the closest catalog product (right 0.907 on rendered lookbook crops)
    names 2 of 22: a shopper's photo is real (see detection.garment_names).
    """
    # The other garments are blanked: complete the look must read this garment, not its neighbours.
    guess, classes = garment_namer().read(image, item.box, item.category, others, forearms)
    item.classes = classes_to_bytes(classes)  # complete the look reads them too
    item.article_type = guess.article_type if guess else ""
    item.article_score = round(guess.score, 4) if guess else None


def _item(look: Look, box: Box, colours: np.ndarray, source: str) -> LookItem:
    """A garment's item, unsaved; its vector is set once the second thread has embedded it."""
    return LookItem(
        look=look,
        category=box.label,
        source=source,
        score=box.score,
        x1=box.x1,
        y1=box.y1,
        x2=box.x2,
        y2=box.y2,
        colours=vector_to_bytes(colours),
    )


def rematch_look(look_id: UUID | str, gender_choice: str) -> None:
    """Search again for every item with another gender choice, reusing the stored vectors."""
    look = Look.objects.filter(pk=look_id).first()
    if look is None:
        return
    rule = exact_match_rule()
    genders = genders_to_search(gender_choice, _stored_reading(look))
    start = time.perf_counter()
    _refresh_catalog()
    items = list(look.items.all())
    found = _recommend(items, [item.embedding() for item in items], genders, rule)
    with transaction.atomic():
        for item, recs in zip(items, found, strict=True):
            item.recommendations.all().delete()
            Recommendation.objects.bulk_create(recs)
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
    genders = genders_to_search(look.gender_choice, _stored_reading(look))
    _refresh_catalog()
    (recs,) = _recommend([item], [item.embedding()], genders, exact_match_rule())
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
    vector = embedder().embed(photo, item.box)
    genders = genders_to_search(look.gender_choice, _stored_reading(look))
    # Read and named before the search: the ranking compares the products with them.
    shopped = look.people[look.person] if 0 <= look.person < len(look.people or []) else {}
    read = worn_colours(photo, item.box, item.category, shopped.get("skin"))
    item.colours = vector_to_bytes(read)
    _name_item(item, photo, [i.box for i in look.items.exclude(pk=item.pk)], shopped.get("forearms"))
    _refresh_catalog()
    item.colour_name = colour_names.read(read)
    (recs,) = _recommend([item], [vector], genders, exact_match_rule())
    with transaction.atomic():
        item.vector = vector_to_bytes(vector)
        item.save(update_fields=["vector", "colours", "colour_name", "classes", "article_type", "article_score"])
        item.recommendations.all().delete()
        Recommendation.objects.bulk_create(recs)
        recomplete(look, genders)  # the drawn garment is worn too
        Look.objects.filter(pk=look.pk).update(status=Look.Status.DONE, error="")


def change_failed(look_id: UUID | str, message: str, gender_choice: str = "", drawn_item: int | None = None) -> None:
    """A shopper's change (gender, person, drawn box) could not be made: the look is done again with the
    results it had, `message` says why, the gender choice goes back to `gender_choice` when given, and a
    drawn box that was never matched is removed (the shopper draws it again)."""
    fields = {"status": Look.Status.DONE, "error": message}
    if gender_choice:
        fields["gender_choice"] = gender_choice
    with transaction.atomic():
        if drawn_item is not None:
            LookItem.objects.filter(pk=drawn_item, look_id=look_id, source=LookItem.Source.SHOPPER).delete()
        # Only a finished look: a first analysis has its own failure path (fail_look).
        Look.objects.filter(pk=look_id, finished__isnull=False).update(**fields)


def fail_look(look_id: UUID | str, message: str) -> None:
    Look.objects.filter(pk=look_id).exclude(status=Look.Status.DONE).update(
        status=Look.Status.FAILED, error=message, finished=timezone.now()
    )


def stale_looks(max_age_seconds: int, max_attempts: int) -> list[UUID]:
    """Unfinished looks older than `max_age_seconds`: the ids to queue again; the hopeless are failed.

    A finished look that says "matching" is being changed by its shopper (gender, person, a drawn
    box): it is never analysed again, which would replace the boxes the shopper drew. If its change
    has not finished within the same time, its worker was lost: the look is done again with the
    results it had, and says so.
    """
    cutoff = timezone.now() - timezone.timedelta(seconds=max_age_seconds)
    stuck = Look.objects.filter(
        status__in=[Look.Status.QUEUED, Look.Status.ANALYSING, Look.Status.MATCHING],
        created__lt=cutoff,
        finished__isnull=True,
    )
    stuck.filter(attempts__gte=max_attempts).update(
        status=Look.Status.FAILED, error="The analysis did not finish. Please try again.", finished=timezone.now()
    )
    # A look changed before `changed` was recorded is judged by when it finished.
    lost_change = Q(changed__lt=cutoff) | Q(changed__isnull=True, finished__lt=cutoff)
    Look.objects.filter(lost_change, status=Look.Status.MATCHING, finished__isnull=False).update(
        status=Look.Status.DONE, error=CHANGE_LOST
    )
    return list(stuck.filter(attempts__lt=max_attempts).values_list("pk", flat=True))


CHANGE_LOST = "Your last change did not finish. The results below are from before it; please try again."
