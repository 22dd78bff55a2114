"""Uploads are kept only as long as the retention setting says: older looks and their photos go."""

from __future__ import annotations

import logging

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from .models import Look

logger = logging.getLogger(__name__)


def delete_looks_older_than(hours: float) -> int:
    """Delete looks created more than `hours` ago with their photos; the number deleted."""
    cutoff = timezone.now() - timezone.timedelta(hours=hours)
    old = Look.objects.filter(created__lt=cutoff)
    photos = [name for name in old.values_list("photo", flat=True) if name]
    looks = len(photos)
    with transaction.atomic():
        count, _ = old.delete()
        # Files go only once the rows are gone for good, so a rolled-back delete loses nothing.
        transaction.on_commit(lambda: _delete_files(photos))
    logger.info("retention: deleted %d looks older than %s h (%d rows in all)", looks, hours, count)
    return looks


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)
