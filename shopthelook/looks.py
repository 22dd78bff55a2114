"""Create a Look from an upload: validate, clean and store the photo, then queue the analysis."""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from catalog.models import Category, Product
from detection.photos import PhotoLimits, PhotoRejected, decode_photo
from detection.taxonomy import ARTICLE_TYPES

from .limits import Limit
from .models import Look, LookItem
from .tasks import analyse_look, match_region, rematch_item, rematch_look, shop_person

logger = logging.getLogger(__name__)


class QueueUnavailable(Exception):
    """The task queue refused the work; nothing was changed."""


class LookBusy(Exception):
    """The look is being analysed or re-matched already; one change at a time."""


def client_key(address: str) -> str:
    # Hashed with the secret key: the rate limit needs identity, the database never needs the address.
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:32]


def upload_limit() -> Limit:
    return Limit("uploads", settings.LOOK_RATE_LIMIT, 60, "photos")


def change_limits() -> tuple[Limit, Limit]:
    """(per client, per look): every re-match queues work, so each is counted like an upload."""
    return (
        Limit("changes", settings.LOOK_CHANGE_RATE_LIMIT, 60, "changes to looks"),
        Limit("look-changes", settings.LOOK_CHANGES_PER_LOOK, 60, "changes to this look"),
    )


def submit_photo(data: bytes, gender_choice: str, address: str) -> Look:
    """An upload from `address` (the page's or the API's): rate-limited, then created as a Look.

    Raises RateLimited, LimiterUnavailable or PhotoRejected; in each case nothing is stored.
    """
    client = client_key(address)
    upload_limit().take(client)
    return create_look(data, gender_choice, client)


def _take_change(look: Look, address: str) -> None:
    per_client, per_look = change_limits()
    per_client.take(client_key(address))
    per_look.take(str(look.pk))


def _start_matching(look: Look, **fields) -> None:
    """Move a finished look to "matching" (with `fields`), or raise LookBusy: one atomic update, so of
    many concurrent changes to one look exactly one wins and queues its task."""
    if look.status not in (Look.Status.DONE, Look.Status.MATCHING):
        raise ValueError("the look is not analysed yet")
    started = Look.objects.filter(pk=look.pk, status=Look.Status.DONE)
    if not started.update(status=Look.Status.MATCHING, changed=timezone.now(), **fields):
        raise LookBusy("the look is being matched already; wait for it to finish")


def create_look(data: bytes, gender_choice: str = Look.GenderChoice.AUTO, client: str = "") -> Look:
    """Store a validated photo as a new queued Look and queue its analysis once committed.

    Raises PhotoRejected (nothing stored) for anything that is not a usable photo.
    """
    if gender_choice not in Look.GenderChoice.values:
        raise PhotoRejected(f"gender must be one of {', '.join(Look.GenderChoice.values)}")
    limits = PhotoLimits(
        settings.LOOK_MAX_BYTES,
        settings.LOOK_MAX_PIXELS,
        max_side=settings.LOOK_MAX_SIDE,
        min_side=settings.LOOK_MIN_SIDE,
    )
    photo = decode_photo(data, limits)
    with transaction.atomic():
        look = Look(gender_choice=gender_choice, client=client, width=photo.width, height=photo.height)
        look.photo.save("upload.jpg", ContentFile(photo.jpeg), save=False)
        try:
            look.save()
        except Exception:
            look.photo.delete(save=False)  # no orphan file when the row cannot be written
            raise
        transaction.on_commit(lambda: _queue_analysis(look))
    return look


def _queue_analysis(look: Look) -> None:
    try:
        analyse_look.delay(str(look.pk))
    except Exception:
        # The photo is safe and the look says "queued": the stale-look sweep queues it again
        # once the broker is back, so the shopper's page simply waits a little longer.
        logger.exception("look %s could not be queued; the sweep will retry it", look.pk)


def change_gender(look: Look, gender_choice: str, address: str = "") -> None:
    """Re-match every item for another gender choice (men, women, all) without detecting again."""
    if gender_choice not in Look.GenderChoice.values:
        raise ValueError(f"gender must be one of {', '.join(Look.GenderChoice.values)}")
    _take_change(look, address)
    # The page polls until "done", so the status says "matching" before the task can finish.
    previous = look.gender_choice
    _start_matching(look, gender_choice=gender_choice)

    def undo() -> None:
        Look.objects.filter(pk=look.pk).update(status=Look.Status.DONE, gender_choice=previous)

    _queue_after_commit(lambda: rematch_look.delay(str(look.pk), gender_choice, previous), undo)


def choose_person(look: Look, index: int, address: str = "") -> None:
    """Shop the outfit of another person in the photo; their stored analysis is reused, nothing is detected again."""
    if not 0 <= index < len(look.people or []):
        raise ValueError(
            f"person must be between 0 and {len(look.people) - 1}" if look.people else "nobody is in the photo"
        )
    _take_change(look, address)
    _start_matching(look)

    def undo() -> None:
        Look.objects.filter(pk=look.pk).update(status=Look.Status.DONE)

    _queue_after_commit(lambda: shop_person.delay(str(look.pk), index), undo)


def add_region(look: Look, box: tuple[float, float, float, float], category: str, address: str = "") -> LookItem:
    """A box the shopper drew, in photo pixels, queued for matching as its own item."""
    if category not in Category.values:
        raise ValueError(f"category must be one of {', '.join(Category.values)}")
    x1, y1, x2, y2 = (float(v) for v in box)
    x1, x2 = sorted((max(0.0, min(x1, look.width)), max(0.0, min(x2, look.width))))
    y1, y2 = sorted((max(0.0, min(y1, look.height)), max(0.0, min(y2, look.height))))
    if x2 - x1 < 8 or y2 - y1 < 8:
        raise ValueError("the box is too small; draw around a whole garment")
    _take_change(look, address)
    with transaction.atomic():
        _start_matching(look)
        item = LookItem.objects.create(
            look=look, category=category, source=LookItem.Source.SHOPPER, x1=x1, y1=y1, x2=x2, y2=y2
        )

    def undo() -> None:
        item.delete()
        Look.objects.filter(pk=look.pk).update(status=Look.Status.DONE)

    _queue_after_commit(lambda: match_region.delay(item.pk), undo)
    return item


CORRECTED_FIELDS = ("article_type", "article_score", "type_chosen", "colour_name", "colour_chosen")


def correct_item(look: Look, item_id: int, article_type: str = "", colour: str = "", address: str = "") -> None:
    """The shopper says what a garment is (its article type, its colour, or both): it is searched again from
    its stored vector, with their word over what was read (see embeddings.ranking)."""
    item = look.items.filter(pk=item_id).first()
    if item is None:
        raise ValueError("that garment is not in this look")
    if not article_type and not colour:
        raise ValueError("choose a type or a colour")
    types = [a.name for a in ARTICLE_TYPES if a.category == item.category]
    if article_type and article_type not in types:
        raise ValueError(f"a {item.category} garment's type is one of {', '.join(types)}")
    if colour:
        listed = Product.objects.filter(colour__iexact=colour).values_list("colour", flat=True).first()
        if listed is None:
            raise ValueError(f"the catalog lists no colour called {colour!r}")
        colour = listed  # the catalog's own spelling
    _take_change(look, address)
    previous = {field: getattr(item, field) for field in CORRECTED_FIELDS}
    with transaction.atomic():
        _start_matching(look)
        if article_type:
            item.article_type, item.article_score, item.type_chosen = article_type, 1.0, True
        if colour:
            item.colour_name, item.colour_chosen = colour, True
        item.save(update_fields=list(CORRECTED_FIELDS))

    def undo() -> None:
        LookItem.objects.filter(pk=item.pk).update(**previous)
        Look.objects.filter(pk=look.pk).update(status=Look.Status.DONE)

    _queue_after_commit(lambda: rematch_item.delay(item.pk, previous), undo)


def _queue_after_commit(send, undo) -> None:
    """Queue a task once the rows it reads are committed; if the broker refuses it, undo and raise."""

    def queue() -> None:
        try:
            send()
        except Exception as exc:
            undo()
            raise QueueUnavailable("the service is busy; please try again in a moment") from exc

    transaction.on_commit(queue, robust=False)
