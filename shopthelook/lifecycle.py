"""A look's lifecycle outside its analysis: its status, the failures, and the sweep that finds lost looks."""

from __future__ import annotations

from uuid import UUID

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Look, LookItem


def set_status(look: Look, status: str) -> None:
    """The look's status, on the object and in its row (nothing else of the row is written)."""
    look.status = status
    Look.objects.filter(pk=look.pk).update(status=status)


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
