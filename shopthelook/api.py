"""The JSON API for shops that embed ShopTheLook: POST a photo, then poll the look."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from detection.photos import PhotoRejected

from .clients import client_address
from .limits import LimiterUnavailable, RateLimited
from .looks import submit_photo
from .models import Look
from .payloads import Filters, look_payload
from .views import look_item, look_person, refused


# No session cookie authenticates this endpoint, so there is nothing for CSRF to forge; the
# per-client rate limit is what keeps it from being flooded.
@csrf_exempt
@require_http_methods(["POST"])
def create(request: HttpRequest) -> JsonResponse:
    photo = request.FILES.get("photo")
    if photo is None:
        return JsonResponse({"error": "send the photo as the multipart field 'photo'"}, status=400)
    try:
        look = submit_photo(photo.read(), request.POST.get("gender", Look.GenderChoice.AUTO), client_address(request))
    except (RateLimited, LimiterUnavailable) as exc:
        return refused(exc)
    except PhotoRejected as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    status_url = reverse("api-look", args=[look.pk])
    response = JsonResponse({"id": str(look.pk), "status": look.status, "status_url": status_url}, status=202)
    response["Location"] = status_url
    return response


@require_GET
def detail(request: HttpRequest, look_id: str) -> JsonResponse:
    look = get_object_or_404(Look, pk=look_id)
    try:
        filters = Filters.from_query(request.GET)
    except ValueError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse(look_payload(look, filters))


# Like create: no cookie authenticates them, and they only re-rank an existing look's stored analysis.
person = csrf_exempt(look_person)
item = csrf_exempt(look_item)
