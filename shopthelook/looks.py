"""Create a Look from an upload: validate, clean and store the photo, then queue the analysis."""

from __future__ import annotations

import hashlib
import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from .models import Look, LookItem
from .photos import PhotoLimits, PhotoRejected, decode_photo
from .tasks import analyse_look, match_region, rematch_look


class RateLimited(Exception):
    """Too many uploads from one client in the last minute."""


def client_key(address: str) -> str:
    # Hashed with the secret key: the rate limit needs identity, the database never needs the address.
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:32]


def check_rate(client: str) -> None:
    recent = Look.objects.filter(client=client, created__gte=timezone.now() - timezone.timedelta(minutes=1))
    if recent.count() >= settings.LOOK_RATE_LIMIT:
        raise RateLimited(f"more than {settings.LOOK_RATE_LIMIT} photos a minute; wait a moment")


def create_look(data: bytes, gender_choice: str = Look.GenderChoice.AUTO, client: str = "") -> Look:
    """Store a validated photo as a new queued Look and queue its analysis once committed.

    Raises PhotoRejected (nothing stored) for anything that is not a usable photo.
    """
    if gender_choice not in Look.GenderChoice.values:
        raise PhotoRejected(f"gender must be one of {', '.join(Look.GenderChoice.values)}")
    photo = decode_photo(data, PhotoLimits(settings.LOOK_MAX_BYTES, settings.LOOK_MAX_PIXELS))
    image = photo.image
    jpeg = photo.jpeg
    if max(image.size) > settings.LOOK_MAX_SIDE:
        image.thumbnail((settings.LOOK_MAX_SIDE, settings.LOOK_MAX_SIDE), Image.Resampling.LANCZOS)
        jpeg = _jpeg(image)
    with transaction.atomic():
        look = Look(gender_choice=gender_choice, client=client, width=image.width, height=image.height)
        look.photo.save("upload.jpg", ContentFile(jpeg), save=False)
        try:
            look.save()
        except Exception:
            look.photo.delete(save=False)  # no orphan file when the row cannot be written
            raise
        transaction.on_commit(lambda: _queue_analysis(look))
    return look


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def _queue_analysis(look: Look) -> None:
    analyse_look.delay(str(look.pk))


def change_gender(look: Look, gender_choice: str) -> None:
    """Re-match every item for another gender choice (men, women, all) without detecting again."""
    if gender_choice not in Look.GenderChoice.values:
        raise ValueError(f"gender must be one of {', '.join(Look.GenderChoice.values)}")
    if look.status != Look.Status.DONE:
        raise ValueError("the look is not analysed yet")
    Look.objects.filter(pk=look.pk).update(status=Look.Status.MATCHING, gender_choice=gender_choice)
    transaction.on_commit(lambda: rematch_look.delay(str(look.pk), gender_choice))


def add_region(look: Look, box: tuple[float, float, float, float], category: str) -> LookItem:
    """A box the shopper drew, in photo pixels, queued for matching as its own item."""
    if look.status != Look.Status.DONE:
        raise ValueError("the look is not analysed yet")
    if category not in ("topwear", "bottomwear", "footwear"):
        raise ValueError("category must be topwear, bottomwear or footwear")
    x1, y1, x2, y2 = (float(v) for v in box)
    x1, x2 = sorted((max(0.0, min(x1, look.width)), max(0.0, min(x2, look.width))))
    y1, y2 = sorted((max(0.0, min(y1, look.height)), max(0.0, min(y2, look.height))))
    if x2 - x1 < 8 or y2 - y1 < 8:
        raise ValueError("the box is too small; draw around a whole garment")
    item = LookItem.objects.create(
        look=look, category=category, source=LookItem.Source.SHOPPER, x1=x1, y1=y1, x2=x2, y2=y2
    )
    Look.objects.filter(pk=look.pk).update(status=Look.Status.MATCHING)
    transaction.on_commit(lambda: match_region.delay(item.pk))
    return item
