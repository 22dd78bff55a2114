"""Periodic work: uploads past their retention are deleted with their photos; stuck looks are retried or failed."""

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from shopthelook.lifecycle import stale_looks
from shopthelook.models import Look
from shopthelook.retention import delete_looks_older_than
from tests.helpers import media_files

pytestmark = pytest.mark.django_db(transaction=True)  # the photo files go on commit


def make_look(hours_ago: float, status: str = Look.Status.DONE, attempts: int = 1) -> Look:
    look = Look(status=status, attempts=attempts, width=1, height=1)
    look.photo.save("p.jpg", ContentFile(b"jpeg bytes"), save=False)
    look.save()
    Look.objects.filter(pk=look.pk).update(created=timezone.now() - timezone.timedelta(hours=hours_ago))
    return look


def test_old_looks_and_their_photos_are_deleted(media_root):
    old, recent = make_look(200), make_look(1)
    assert delete_looks_older_than(168) == 1
    assert list(Look.objects.values_list("pk", flat=True)) == [recent.pk]
    assert [p.name for p in media_files(media_root)] == [recent.photo.name.rsplit("/", 1)[1]]
    assert not Look.objects.filter(pk=old.pk).exists()


def test_stuck_looks_are_requeued_until_they_run_out_of_attempts():
    stuck = make_look(1, Look.Status.ANALYSING, attempts=1)
    hopeless = make_look(1, Look.Status.MATCHING, attempts=3)
    fresh = make_look(0, Look.Status.QUEUED, attempts=0)  # just uploaded: leave it alone
    done = make_look(1, Look.Status.DONE)
    assert stale_looks(max_age_seconds=300, max_attempts=3) == [stuck.pk]
    hopeless.refresh_from_db()
    assert hopeless.status == Look.Status.FAILED and "did not finish" in hopeless.error
    fresh.refresh_from_db()
    done.refresh_from_db()
    assert (fresh.status, done.status) == (Look.Status.QUEUED, Look.Status.DONE)
