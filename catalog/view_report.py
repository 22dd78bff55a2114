"""What the view classifier made of the catalog, for the admin page: views read, thumbnails, cluster plots."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from django.conf import settings

from detection import taxonomy
from detection.registry import read_manifest

from .models import ProductImage

PLOTS = ("k", "clusters")  # reports/views/<category>_<plot>.png, written by `manage.py cluster_views`


def views_dir() -> Path:
    return Path(settings.REPORTS_DIR) / "views"


def plot_path(category: str, plot: str) -> Path | None:
    if category not in taxonomy.CATEGORY_NAMES or plot not in PLOTS:
        return None  # only the files cluster_views writes: no path comes from the request
    path = views_dir() / f"{category}_{plot}.png"
    return path if path.is_file() else None


def category_report(category: str) -> dict:
    """Per category: photos read, the shop's views against the classifier's, and how many products' thumbnails
    show the preferred view where the shop says which photo that is."""
    rows = list(
        ProductImage.objects.filter(product__category=category).values_list(
            "product_id", "view", "predicted_view", "is_thumbnail"
        )
    )
    pairs = Counter((view, predicted) for _, view, predicted, _ in rows if predicted)
    views = [v for v, _ in ProductImage.View.choices]
    # What the shipped view classifier prefers (its manifest entry): no LiteRT in the web process.
    want = read_manifest()["models"]["view_classifier"]["preferred"].get(category, "front")
    has_view = {pid for pid, view, _, _ in rows if view == want}
    thumbs = {pid: view for pid, view, _, thumb in rows if thumb}
    right = sum(thumbs.get(pid) == want for pid in has_view)
    return {
        "category": category,
        "preferred": want,
        "photos": len(rows),
        "read": sum(1 for r in rows if r[2]),
        "views": views,
        "matrix": [(shop, counts) for shop in views if any(counts := [pairs.get((shop, p), 0) for p in views])],
        "products_with_view": len(has_view),
        "thumbnail_right": right,
        "thumbnail_share": right / len(has_view) if has_view else None,
        "plots": [plot for plot in PLOTS if plot_path(category, plot)],
    }
