"""Scrape admin: staff start a scrape of a site profile and watch its progress live."""

from __future__ import annotations

import logging

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from .models import ScrapeRun
from .profiles import available_profiles

logger = logging.getLogger(__name__)
# An admin page should not hang while the broker is down: two quick retries, then report it.
QUICK_PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}


def queue_scrape(run: ScrapeRun) -> None:
    """Send the run to a Celery worker once the row is committed; record it if that fails."""
    from .tasks import scrape_catalog_task

    def send() -> None:
        try:
            result = scrape_catalog_task.apply_async((run.pk,), retry_policy=QUICK_PUBLISH_RETRY)
        except Exception as exc:  # the broker is down: say so on the run instead of a 500
            logger.exception("could not queue scrape %s", run.pk)
            ScrapeRun.objects.filter(pk=run.pk).update(
                status=ScrapeRun.Status.FAILED, message=f"could not queue the scrape: {exc}"
            )
        else:
            ScrapeRun.objects.filter(pk=run.pk).update(task_id=result.id)

    transaction.on_commit(send)


class ScrapeRunForm(forms.ModelForm):
    profile = forms.ChoiceField(choices=[])
    max_per_category = forms.IntegerField(min_value=1, max_value=5000, initial=50)

    class Meta:
        model = ScrapeRun
        fields = ("profile", "max_per_category")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "profile" in self.fields:  # absent on a run's read-only page
            self.fields["profile"].choices = [(name, name) for name in available_profiles()]


@admin.register(ScrapeRun)
class ScrapeRunAdmin(admin.ModelAdmin):
    form = ScrapeRunForm
    list_display = (
        "id",
        "profile",
        "status",
        "progress_bar",
        "pages",
        "products_new",
        "products_updated",
        "products_failed",
        "images",
        "created_at",
        "created_by",
    )
    list_filter = ("status", "profile")
    readonly_fields = (
        "profile",
        "max_per_category",
        "status",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
        "task_id",
        "target",
        "processed",
        "pages",
        "products_new",
        "products_updated",
        "products_failed",
        "cards_skipped",
        "images",
        "message",
        "error_list",
    )
    change_form_template = "admin/scraper/scraperun/change_form.html"
    actions = ["run_again"]

    def get_fields(self, request: HttpRequest, obj: ScrapeRun | None = None):
        return ("profile", "max_per_category") if obj is None else self.readonly_fields

    def get_readonly_fields(self, request: HttpRequest, obj: ScrapeRun | None = None):
        return () if obj is None else self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: ScrapeRun | None = None) -> bool:
        return request.user.is_superuser

    @admin.display(description="progress")
    def progress_bar(self, obj: ScrapeRun) -> str:
        return format_html('<progress max="100" value="{}"></progress> {}%', obj.progress_percent, obj.progress_percent)

    @admin.display(description="errors")
    def error_list(self, obj: ScrapeRun) -> str:
        if not obj.errors:
            return "-"
        rows = ((e.get("url", ""), e.get("error", "")) for e in obj.errors[:100])
        items = format_html_join("", "<li>{}: {}</li>", rows)
        return format_html("<ul class='scrape-errors'>{}</ul>", items)

    def save_model(self, request: HttpRequest, obj: ScrapeRun, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if not change:
            queue_scrape(obj)
            messages.info(request, f"Scrape #{obj.pk} of {obj.profile} queued; this page shows its progress.")

    def response_add(self, request: HttpRequest, obj: ScrapeRun, post_url_continue=None) -> HttpResponseRedirect:
        # Straight to the run's page, where its progress is live.
        return HttpResponseRedirect(reverse("admin:scraper_scraperun_change", args=[obj.pk]))

    def get_urls(self):
        progress = path(
            "<int:run_id>/progress/",
            self.admin_site.admin_view(self.progress_view),
            name="scraper_scraperun_progress",
        )
        return [progress, *super().get_urls()]

    def progress_view(self, request: HttpRequest, run_id: int) -> JsonResponse:
        if not self.has_view_permission(request):
            return JsonResponse({"error": "forbidden"}, status=403)
        return JsonResponse(get_object_or_404(ScrapeRun, pk=run_id).as_progress())

    @admin.action(description="Run the selected scrapes again", permissions=["add"])
    def run_again(self, request: HttpRequest, queryset) -> None:
        for old in queryset:
            run = ScrapeRun.objects.create(
                profile=old.profile, max_per_category=old.max_per_category, created_by=request.user
            )
            queue_scrape(run)
        self.message_user(request, f"Queued {queryset.count()} scrape(s).")
