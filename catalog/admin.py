"""Catalog admin: products with thumbnails, partition counts, and filters a merchandiser uses."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from .models import Product, ProductImage
from .partitions import partition_sizes

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
    fields = ("preview", "position", "view", "is_thumbnail", "width", "height", "source_url")
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
        "article_type",
        "colour",
        "in_stock",
        "last_seen",
    )
    list_display_links = ("thumb", "title")
    list_filter = ("gender", "category", "in_stock", PriceBandFilter, "source", "article_type", "brand")
    search_fields = ("title", "brand", "external_id", "colour", "article_type")
    readonly_fields = ("first_seen", "last_seen")
    inlines = [ProductImageInline]
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("images")

    @admin.display(description="")
    def thumb(self, obj: Product) -> str:
        return thumbnail_html(obj.thumbnail)

    @admin.display(description="price", ordering="price")
    def price_display(self, obj: Product) -> str:
        return "-" if obj.price is None else f"{obj.currency} {obj.price:,.0f}"

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        extra_context = {**(extra_context or {}), "partition_sizes": partition_sizes()}
        return super().changelist_view(request, extra_context=extra_context)
