"""ScrapeRun: one scrape of a site profile, with its live progress, counts and errors."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

MAX_ERRORS_KEPT = 500
COUNTERS = ("pages", "products_new", "products_updated", "products_failed", "cards_skipped", "images", "processed")


class ScrapeRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    profile = models.CharField(max_length=64)
    max_per_category = models.PositiveIntegerField(default=50)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    target = models.PositiveIntegerField(default=0, help_text="Products the run expects to visit.")
    processed = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    products_new = models.PositiveIntegerField(default=0)
    products_updated = models.PositiveIntegerField(default=0)
    products_failed = models.PositiveIntegerField(default=0)
    cards_skipped = models.PositiveIntegerField(default=0)
    images = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    worker = models.CharField(max_length=200, blank=True, help_text="The Celery node running it.")
    heartbeat = models.DateTimeField(null=True, blank=True, help_text="When the run last saved its progress.")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.profile} scrape #{self.pk} ({self.status})"

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.processed / self.target) if self.target else 0

    @property
    def duration_seconds(self) -> float | None:
        if not self.started_at:
            return None
        return ((self.finished_at or timezone.now()) - self.started_at).total_seconds()

    @property
    def products_per_minute(self) -> float | None:
        seconds = self.duration_seconds
        done = self.products_new + self.products_updated
        return 60.0 * done / seconds if seconds else None

    def add_error(self, url: str, error: str) -> None:
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append({"url": url, "error": error})

    def reset_counts(self) -> None:
        for name in COUNTERS:
            setattr(self, name, 0)
        self.errors = []
        self.message = ""

    def save_progress(self) -> None:
        self.heartbeat = timezone.now()  # a running run whose heartbeat stops was lost (see close_lost_runs)
        fields = [*COUNTERS, "errors", "target", "status", "started_at", "finished_at", "message", "heartbeat"]
        self.save(update_fields=fields)

    def as_progress(self) -> dict:
        """What the admin's live page polls for."""
        return {
            "id": self.pk,
            "status": self.status,
            "status_label": self.get_status_display(),
            "percent": self.progress_percent,
            "target": self.target,
            **{name: getattr(self, name) for name in COUNTERS},
            "errors": self.errors[-20:],
            "error_count": len(self.errors),
            "message": self.message,
            "products_per_minute": round(self.products_per_minute or 0.0, 1),
        }


LOST_MESSAGE = "scrape stopped: its worker was lost (killed or restarted); run it again"


def close_lost_runs(stale_seconds: int, worker: str = "") -> list[int]:
    """Close runs that say "running" but nobody runs: those of `worker` (a node that just started cannot
    be running any), or, without one, those whose progress has not been saved for `stale_seconds`.
    The products they stored stay; the ids closed are returned.

    A run saves its progress with every product it visits, so only a lost worker falls silent that
    long. If Celery delivers the killed task again (acks late), it runs the scrape again from the start.
    """
    running = ScrapeRun.objects.filter(status=ScrapeRun.Status.RUNNING)
    if worker:
        lost = running.filter(worker=worker)
    else:
        cutoff = timezone.now() - timezone.timedelta(seconds=stale_seconds)
        lost = running.filter(models.Q(heartbeat__lt=cutoff) | models.Q(heartbeat__isnull=True, started_at__lt=cutoff))
    ids = list(lost.values_list("pk", flat=True))
    ScrapeRun.objects.filter(pk__in=ids, status=ScrapeRun.Status.RUNNING).update(
        status=ScrapeRun.Status.FAILED, message=LOST_MESSAGE, finished_at=timezone.now()
    )
    return ids
