"""Staff review of looks: the photo with its boxes, each item's recommendations rated up or down, and metrics."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from .feedback_metrics import summarise
from .models import Feedback, Look, Recommendation

REVIEWED_PER_ITEM = 8


@admin.register(Look)
class LookAdmin(admin.ModelAdmin):
    list_display = ("thumb", "short_id", "status", "created", "gender", "item_count", "total", "stages", "layout")
    list_filter = ("status", "gender_seen", "gender_choice", "created")
    date_hierarchy = "created"
    change_form_template = "admin/shopthelook/look/review.html"
    change_list_template = "admin/shopthelook/look/change_list.html"
    readonly_fields = [f.name for f in Look._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(n_items=Count("items"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # looks come from shoppers only

    @admin.display(description="photo")
    def thumb(self, look: Look) -> str:
        return format_html('<img src="{}" alt="" loading="lazy" style="max-height:64px">', look.photo.url)

    @admin.display(description="look")
    def short_id(self, look: Look) -> str:
        return str(look.pk)[:8]

    @admin.display(description="gender")
    def gender(self, look: Look) -> str:
        if look.p_women is None:
            return "-"
        seen = look.gender_seen or "unsure"
        return f"{seen} (P(women) {look.p_women:.2f})"

    @admin.display(description="items", ordering="n_items")
    def item_count(self, look: Look) -> int:
        return look.n_items

    @admin.display(description="ms")
    def total(self, look: Look) -> str:
        work = {k: v for k, v in look.timings.items() if k != "queue"}
        return f"{sum(work.values()):.0f}" if work else "-"

    @admin.display(description="time per stage (ms)")
    def stages(self, look: Look) -> str:
        return " · ".join(f"{k} {v:.0f}" for k, v in look.timings.items()) or "-"

    @admin.display(description="layout", boolean=True)
    def layout(self, look: Look) -> bool:
        return bool(look.fallback)

    def get_urls(self):
        own = [
            path("<uuid:look_id>/feedback/", self.admin_site.admin_view(_save_feedback), name="look-feedback"),
            path("metrics/", self.admin_site.admin_view(self.metrics_view), name="look-metrics"),
        ]
        return own + super().get_urls()

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        look = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if look is not None:
            mine = {
                rec_id: (relevant, reason)
                for rec_id, relevant, reason in Feedback.objects.filter(
                    recommendation__item__look=look, reviewer=request.user
                ).values_list("recommendation_id", "relevant", "reason")
            }
            items = []
            for item in look.items.prefetch_related("recommendations__product__images"):
                recs = list(item.recommendations.all()[:REVIEWED_PER_ITEM])
                for rec in recs:
                    rec.my_verdict, rec.my_reason = mine.get(rec.pk, (None, ""))
                items.append(
                    {
                        "item": item,
                        "recs": recs,
                        "crop": _crop_style(look, item.box, 110),
                        "box": _box_style(look, item.box),
                    }
                )
            by_category: dict[str, list] = {}
            for c in look.complements.select_related("product").prefetch_related("product__images"):
                if c.rank <= REVIEWED_PER_ITEM:
                    by_category.setdefault(c.get_category_display(), []).append(c)
            extra.update(
                complements=list(by_category.items()),
                complements_shown=REVIEWED_PER_ITEM,
                items=items,
                reasons=Feedback.Reason.choices,
                can_rate=request.user.has_perm("shopthelook.add_feedback"),
            )
        return super().change_view(request, object_id, form_url, extra)

    def metrics_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("shopthelook.view_feedback"):
            raise PermissionDenied
        try:
            k = max(1, min(int(request.GET.get("k", 10)), 40))
        except ValueError:
            k = 10
        context = {
            **self.admin_site.each_context(request),
            "title": f"Recommendation quality from staff feedback (k = {k})",
            "k": k,
            "by_category": summarise(k, "category"),
            "by_week": summarise(k, "week"),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/shopthelook/look/metrics.html", context)


@require_POST
def _save_feedback(request: HttpRequest, look_id: str) -> HttpResponse:
    if not request.user.has_perm("shopthelook.add_feedback"):
        raise PermissionDenied
    rec = get_object_or_404(Recommendation, pk=request.POST.get("recommendation"), item__look_id=look_id)
    verdict = request.POST.get("relevant")
    reason = request.POST.get("reason", "")
    if verdict not in ("1", "0") or reason not in ["", *Feedback.Reason.values]:
        messages.error(request, "Choose thumbs up or down, and a reason from the list.")
    else:
        Feedback.objects.update_or_create(
            recommendation=rec, reviewer=request.user, defaults={"relevant": verdict == "1", "reason": reason}
        )
    url = reverse("admin:shopthelook_look_change", args=[look_id])
    return HttpResponseRedirect(f"{url}#item-{rec.item_id}")


def _box_style(look: Look, box: tuple[float, float, float, float]) -> str:
    x1, y1, x2, y2 = box
    w, h = max(look.width, 1), max(look.height, 1)
    left, top = 100 * x1 / w, 100 * y1 / h
    return f"left:{left:.2f}%;top:{top:.2f}%;width:{100 * (x2 - x1) / w:.2f}%;height:{100 * (y2 - y1) / h:.2f}%"


def _crop_style(look: Look, box: tuple[float, float, float, float], side: int) -> str:
    """CSS that shows the box of the look's photo in a square, as the shopper's page does."""
    x1, y1, x2, y2 = box
    s = side / max(x2 - x1, y2 - y1, 1)
    ox, oy = -x1 * s + (side - (x2 - x1) * s) / 2, -y1 * s + (side - (y2 - y1) * s) / 2
    return (
        f"width:{side}px;height:{side}px;background:#eee url('{look.photo.url}') no-repeat;"
        f"background-size:{look.width * s:.1f}px {look.height * s:.1f}px;background-position:{ox:.1f}px {oy:.1f}px"
    )


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("recommendation", "reviewer", "relevant", "reason", "created")
    list_filter = ("relevant", "reason", "recommendation__item__category", "created")
    raw_id_fields = ("recommendation",)
