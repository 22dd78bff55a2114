"""The shopper's pages: upload a photo, watch it being analysed, browse and refine the recommendations."""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from detection.photos import PhotoRejected
from detection.taxonomy import CATEGORIES

from .clients import client_address
from .limits import LimiterUnavailable, RateLimited
from .looks import LookBusy, QueueUnavailable, add_region, change_gender, choose_person, correct_item, submit_photo
from .models import Look


@require_http_methods(["GET", "HEAD"])
def healthz(request: HttpRequest) -> JsonResponse:
    """For the fleet's health checks: 200 while the web process can reach its database, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "database unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _upload_error(request: HttpRequest, message: str, status: int, retry_after: int | None = None) -> HttpResponse:
    if _wants_json(request):
        response = JsonResponse({"error": message}, status=status)
    else:
        response = render(request, "shop/upload.html", {"error": message}, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def refused(exc: RateLimited | LookBusy | LimiterUnavailable | QueueUnavailable) -> JsonResponse:
    """The JSON answer to a change or upload that is not taken now.

    Over a rate limit: 429 with Retry-After; the look busy with another change: 409; the limiter's
    cache or the queue away: 503. In each case nothing was changed.
    """
    if isinstance(exc, RateLimited):
        response = JsonResponse({"error": f"rate limited: {exc}"}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, LookBusy):
        return JsonResponse({"error": str(exc)}, status=409)
    response = JsonResponse({"error": str(exc)}, status=503)  # the limiter's cache or the queue is away
    response["Retry-After"] = "5"
    return response


def _change(request: HttpRequest, change) -> JsonResponse:
    """Run a change to a look (`change(address)`), answering its refusals as `refused` does."""
    try:
        result = change(client_address(request))
    except (RateLimited, LookBusy, LimiterUnavailable, QueueUnavailable) as exc:
        return refused(exc)
    except ValueError as exc:
        message = str(exc) if "invalid literal" not in str(exc) else "person must be a whole number"
        return JsonResponse({"error": message}, status=400)
    return JsonResponse(result or {"status": "matching"}, status=202)


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """GET: the upload page. POST (CSRF-checked): store the photo and go to its look page."""
    if request.method == "GET":
        return render(request, "shop/upload.html")
    photo = request.FILES.get("photo")
    if photo is None:
        return _upload_error(request, "Choose a photo to upload.", 400)
    try:
        look = submit_photo(photo.read(), request.POST.get("gender", Look.GenderChoice.AUTO), client_address(request))
    except RateLimited as exc:
        return _upload_error(request, f"Too many uploads: {exc}.", 429, exc.retry_after)
    except LimiterUnavailable as exc:
        return _upload_error(request, f"Please try again in a moment: {exc}.", 503, 5)
    except PhotoRejected as exc:
        return _upload_error(request, f"That photo cannot be used: {exc}.", 400)
    url = reverse("look", args=[look.pk])
    if _wants_json(request):
        return JsonResponse({"id": str(look.pk), "page_url": url}, status=201)
    return redirect(url)


def look_page(request: HttpRequest, look_id: str) -> HttpResponse:
    look = get_object_or_404(Look, pk=look_id)
    categories = [
        {"name": c.name, "item_name": c.item_name, "body_span": c.body_span, "colour": c.display_colour}
        for c in CATEGORIES
    ]
    context = {"look": look, "genders": Look.GenderChoice.choices, "categories": categories}
    return render(request, "shop/look.html", context)


@require_POST
def look_gender(request: HttpRequest, look_id: str) -> HttpResponse:
    look = get_object_or_404(Look, pk=look_id)
    return _change(request, lambda address: change_gender(look, request.POST.get("gender", ""), address))


@require_POST
def look_person(request: HttpRequest, look_id: str) -> HttpResponse:
    """The page's "shop this person" button (the API's POST /api/looks/<id>/person calls this too)."""
    look = get_object_or_404(Look, pk=look_id)
    return _change(request, lambda address: choose_person(look, int(request.POST.get("person", "")), address))


@require_POST
def look_item(request: HttpRequest, look_id: str, item_id: int) -> HttpResponse:
    """The shopper corrects a garment: its article type and/or colour (the API's POST calls this too)."""
    look = get_object_or_404(Look, pk=look_id)
    article_type, colour = request.POST.get("article_type", ""), request.POST.get("colour", "")
    return _change(request, lambda address: correct_item(look, item_id, article_type, colour, address))


@require_POST
def look_region(request: HttpRequest, look_id: str) -> HttpResponse:
    look = get_object_or_404(Look, pk=look_id)
    try:
        box = tuple(float(request.POST[k]) for k in ("x1", "y1", "x2", "y2"))
    except KeyError:
        return JsonResponse({"error": "x1, y1, x2 and y2 are required"}, status=400)
    except ValueError:
        return JsonResponse({"error": "x1, y1, x2 and y2 must be numbers"}, status=400)

    def draw(address: str) -> dict:
        item = add_region(look, box, request.POST.get("category", ""), address)
        return {"item": item.pk, "status": "matching"}

    return _change(request, draw)
