"""Celery tasks of the shopper flow: thin wrappers that call the pipeline and own the retries."""

from __future__ import annotations

import json
import logging
import os

from celery import shared_task
from celery.signals import task_received, worker_ready
from django.conf import settings

from . import lifecycle, retention

logger = logging.getLogger(__name__)

FAILED_MESSAGE = "Something went wrong while analysing this photo. Please try again."


def _pipeline():
    # Imported in the worker only: the web process queues these tasks but never loads LiteRT or FAISS.
    from . import pipeline

    return pipeline


# acks_late + reject_on_worker_lost: a worker killed mid-look leaves the message in the queue,
# so another worker runs the look again (run_look replaces whatever the first one half-wrote).
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=2, time_limit=120, soft_time_limit=100)
def analyse_look(self, look_id: str) -> None:
    try:
        _pipeline().run_look(look_id, worker=self.request.hostname or "")
    except Exception as exc:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=2) from exc
        logger.exception("look %s failed after %d attempts", look_id, self.request.retries + 1)
        lifecycle.fail_look(look_id, FAILED_MESSAGE)


CHANGE_FAILED = "That change could not be made. The results below are from before it; please try again."


# A change to a finished look has one try: if it fails, the look is done again with the results it
# had and says so (lifecycle.change_failed), rather than "matching" until the sweep finds it.
@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=60, soft_time_limit=50)
def rematch_look(look_id: str, gender_choice: str, previous: str = "") -> None:
    try:
        _pipeline().rematch_look(look_id, gender_choice)
    except Exception:
        logger.exception("look %s: re-match for %s failed", look_id, gender_choice)
        lifecycle.change_failed(look_id, CHANGE_FAILED, gender_choice=previous)


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=60, soft_time_limit=50)
def shop_person(look_id: str, index: int) -> None:
    try:
        _pipeline().shop_person(look_id, index)
    except Exception:
        logger.exception("look %s: shopping person %s failed", look_id, index)
        lifecycle.change_failed(look_id, CHANGE_FAILED)


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=60, soft_time_limit=50)
def match_region(item_id: int) -> None:
    try:
        _pipeline().match_region(item_id)
    except Exception:
        logger.exception("drawn box %s: matching failed", item_id)
        from .models import LookItem

        look_id = LookItem.objects.filter(pk=item_id).values_list("look_id", flat=True).first()
        if look_id is not None:
            message = "The box you drew could not be matched; please draw it again."
            lifecycle.change_failed(look_id, message, drawn_item=item_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=60, soft_time_limit=50)
def rematch_item(item_id: int, previous: dict) -> None:
    """A garment the shopper corrected (type, colour), searched again; `previous` is what it said before."""
    try:
        _pipeline().rematch_item(item_id)
    except Exception:
        logger.exception("item %s: re-match after the shopper's correction failed", item_id)
        from .models import LookItem

        item = LookItem.objects.filter(pk=item_id)
        look_id = item.values_list("look_id", flat=True).first()
        if look_id is not None:
            item.update(**previous)  # the page shows what the results were made from
            lifecycle.change_failed(look_id, CHANGE_FAILED)


@shared_task(time_limit=60)
def sweep_stale_looks() -> None:
    """Requeue looks a lost worker left unfinished (or fail them after too many attempts)."""
    for look_id in lifecycle.stale_looks(settings.LOOK_STALE_SECONDS, settings.LOOK_MAX_ATTEMPTS):
        analyse_look.delay(str(look_id))


@shared_task(time_limit=600)
def delete_old_looks() -> None:
    retention.delete_looks_older_than(settings.LOOK_RETENTION_HOURS)


@task_received.connect
def _mark_taken(request=None, **kwargs) -> None:
    # A node names the look the moment it takes the message, before a pool process starts on it:
    # killed in between, the message would sit unacked in Redis (the broker's visibility timeout,
    # an hour) with the look still "queued" and nobody's.
    if request is None or request.name != analyse_look.name or not request.args:
        return
    from .models import Look

    try:
        Look.objects.filter(pk=request.args[0], finished__isnull=True).update(worker=request.hostname)
    except Exception:  # the database is away: the stale-look sweep still finds the look
        logger.warning("look %s: could not record its worker", request.args[0], exc_info=True)


@worker_ready.connect
def _resume_held_looks(sender, **kwargs) -> None:
    # A node that starts while unfinished looks name it died holding them (SIGKILL, a lost
    # container). Its restart queues them again at once, rather than after the stale-look sweep's
    # LOOK_STALE_SECONDS; compose restarts a container under the same node name.
    queues = sender.app.amqp.queues
    if "looks" not in (queues.consume_from or queues):
        return
    from .models import Look

    # Unfinished only: a finished look says "matching" while the web re-matches it (gender, person).
    held = Look.objects.filter(
        status__in=[Look.Status.QUEUED, Look.Status.ANALYSING, Look.Status.MATCHING],
        worker=sender.hostname,
        finished__isnull=True,
    )
    for look_id in held.values_list("pk", flat=True):
        logger.warning("look %s was held by %s when it stopped: queued again", look_id, sender.hostname)
        analyse_look.delay(str(look_id))


WORKER_MODELS = "worker-models.json"  # in DATA_DIR: where `loaded_models` says what a worker has loaded


@shared_task(time_limit=10)
def loaded_models() -> None:
    """Write the models this worker process has loaded, with their files' sizes, to DATA_DIR (no result
    backend: `benchmark_looks` reads the file, the worker being on its machine)."""
    from detection.registry import loaded

    out = settings.DATA_DIR / WORKER_MODELS
    partial = out.with_suffix(".part")
    partial.write_text(json.dumps({"pid": os.getpid(), "models": loaded()}))
    partial.replace(out)  # the reader never sees half a file
