"""Top-level URL routes."""

from django.conf import settings
from django.contrib import admin
from django.urls import path, re_path
from django.views.generic import RedirectView
from django.views.static import serve

admin.site.site_header = "ShopTheLook admin"
admin.site.site_title = "ShopTheLook"

urlpatterns = [
    path("admin/", admin.site.urls),
    # Until the shopper pages land, the site root leads to the catalog.
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
if settings.SERVE_MEDIA:
    media = settings.MEDIA_URL.strip("/")
    urlpatterns.append(re_path(rf"^{media}/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}))
