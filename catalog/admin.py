"""Catalog admin: products with thumbnails, partition counts, and filters a merchandiser uses."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html

from detection import taxonomy

from .models import Product, ProductImage
from .search import partition_sizes
from .view_report import category_report, plot_path

PRICE_BANDS: dict[str, tuple[Decimal | None, Decimal | None]] = {
    "lt500": (None, Decimal(500)),
    "500-1000": (Decimal(500), Decimal(1000)),
    "1000-2000": (Decimal(1000), Decimal(2000)),
    "2000-5000": (Decimal(2000), Decimal(5000)),
    "gte5000": (Decimal(5000), None),
}


class PriceBandFilter(admin.SimpleListFilter):
    title = "price"
    parameter_name = "price_band"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        labels = []
        for key, (low, high) in PRICE_BANDS.items():
            if low is None:
                labels.append((key, f"under {high}"))
            elif high is None:
                labels.append((key, f"{low} and over"))
            else:
                labels.append((key, f"{low} to {high}"))
        return labels

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        band = PRICE_BANDS.get(self.value() or "")
        if band is None:
            return queryset
        low, high = band
        if low is not None:
            queryset = queryset.filter(price__gte=low)
        if high is not None:
            queryset = queryset.filter(price__lt=high)
        return queryset


def thumbnail_html(image: ProductImage | None, size: int = 64) -> str:
    if image is None:
        return "-"
    return format_html(
        '<img src="{}" alt="" loading="lazy" style="max-height:{}px;max-width:{}px">',
        image.image.url,
        size,
        size,
    )


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = (
        "preview",
        "position",
        "view",
        "predicted_view",
        "predicted_view_score",
        "is_thumbnail",
        "width",
        "height",
        "source_url",
    )
    readonly_fields = fields
    can_delete = False

    @admin.display(description="image")
    def preview(self, obj: ProductImage) -> str:
        return thumbnail_html(obj, 120)

    def has_add_permission(self, request: HttpRequest, obj: Product | None = None) -> bool:
        return False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = (
        "thumb",
        "title",
        "brand",
        "price_display",
        "gender",
        "category",
        "article_type_display",
        "colour",
        "in_stock",
        "last_seen",
    )
    list_display_links = ("thumb", "title")
    list_filter = (
        "gender",
        "category",
        "in_stock",
        PriceBandFilter,
        "source",
        "article_type",
        "article_type_predicted",
        "brand",
    )
    search_fields = ("title", "brand", "external_id", "colour", "article_type")
    readonly_fields = ("first_seen", "last_seen")
    inlines = [ProductImageInline]
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("images")

    @admin.display(description="")
    def thumb(self, obj: Product) -> str:
        return thumbnail_html(obj.thumbnail)

    @admin.display(description="article type", ordering="article_type")
    def article_type_display(self, obj: Product) -> str:
        # A type the shop did not give is marked: merchandisers check those.
        return f"{obj.article_type} (read from photos)" if obj.article_type_predicted else obj.article_type

    @admin.display(description="price", ordering="price")
    def price_display(self, obj: Product) -> str:
        return "-" if obj.price is None else f"{obj.currency} {obj.price:,.0f}"

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        extra_context = {**(extra_context or {}), "partition_sizes": partition_sizes()}
        return super().changelist_view(request, extra_context=extra_context)

    def get_urls(self):
        views = self.admin_site.admin_view(self.photo_views)
        plot = self.admin_site.admin_view(self.photo_views_plot)
        return [
            path("photo-views/", views, name="catalog_product_photo_views"),
            path("photo-views/<str:category>/<str:plot>.png", plot, name="catalog_product_photo_views_plot"),
            *super().get_urls(),
        ]

    def photo_views(self, request: HttpRequest) -> HttpResponse:
        """The views the classifier read in each category, the thumbnails it chose, and cluster_views' plots."""
        if not self.has_view_permission(request):
            raise Http404
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Photo views and thumbnails",
            "reports": [category_report(c) for c in taxonomy.CATEGORY_NAMES],
        }
        return TemplateResponse(request, "admin/catalog/product/photo_views.html", context)

    def photo_views_plot(self, request: HttpRequest, category: str, plot: str) -> FileResponse:
        found = plot_path(category, plot) if self.has_view_permission(request) else None
        if found is None:
            raise Http404("no such plot: run `manage.py cluster_views`")
        return FileResponse(found.open("rb"), content_type="image/png")
