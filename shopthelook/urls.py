"""Top-level URL routes."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "ShopTheLook admin"
admin.site.site_title = "ShopTheLook"

urlpatterns = [
    path("admin/", admin.site.urls),
    # Until the shopper pages land, the site root leads to the catalog.
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
