"""Top-level URL routes."""

from django.conf import settings
from django.contrib import admin
from django.urls import path, re_path
from django.views.static import serve

from . import api, views

admin.site.site_header = "ShopTheLook admin"
admin.site.site_title = "ShopTheLook"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", views.upload, name="upload"),
    path("healthz", views.healthz, name="healthz"),
    path("looks/<uuid:look_id>/", views.look_page, name="look"),
    path("looks/<uuid:look_id>/gender", views.look_gender, name="look-gender"),
    path("looks/<uuid:look_id>/regions", views.look_region, name="look-region"),
    path("looks/<uuid:look_id>/person", views.look_person, name="look-person"),
    path("looks/<uuid:look_id>/items/<int:item_id>", views.look_item, name="look-item"),
    path("api/looks", api.create, name="api-looks"),
    path("api/looks/<uuid:look_id>", api.detail, name="api-look"),
    path("api/looks/<uuid:look_id>/person", api.person, name="api-look-person"),
    path("api/looks/<uuid:look_id>/items/<int:item_id>", api.item, name="api-look-item"),
]
if settings.SERVE_MEDIA:
    media = settings.MEDIA_URL.strip("/")
    urlpatterns.append(re_path(rf"^{media}/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}))
