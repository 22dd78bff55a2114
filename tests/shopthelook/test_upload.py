"""The upload page and the JSON API's input handling: refusals store nothing, accepted photos are cleaned."""

import io
import json

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from detection.taxonomy import CATEGORIES
from shopthelook.models import Look
from tests.helpers import media_files

pytestmark = pytest.mark.django_db


def jpeg(size=(160, 240), exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "navy").save(out, "JPEG", **({"exif": exif.tobytes()} if exif else {}))
    return out.getvalue()


def upload(client: Client, data: bytes, name: str = "me.jpg", url: str = "", **fields):
    photo = io.BytesIO(data)
    photo.name = name
    return client.post(url or reverse("api-looks"), {"photo": photo, **fields})


@pytest.fixture(autouse=True)
def no_queue(monkeypatch):
    """These tests stop at the queue: the worker's side is tested against a real worker elsewhere."""
    queued = []
    monkeypatch.setattr("shopthelook.tasks.analyse_look.delay", queued.append)
    return queued


def tiff() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 96), "navy").save(out, "TIFF")
    return out.getvalue()


def bomb() -> bytes:
    out = io.BytesIO()
    Image.new("L", (9000, 9000)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a this is not really an image", "not an image"),
        (jpeg()[:200], "corrupt or truncated"),
        (bomb(), "pixel limit"),
        (tiff(), "TIFF images are not supported"),
    ],
    ids=["not-an-image", "truncated", "decompression-bomb", "unsupported-format"],
)
def test_bad_photos_are_refused_and_nothing_is_stored(client, media_root, data, message, no_queue):
    response = upload(client, data)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert Look.objects.count() == 0 and media_files(media_root) == [] and no_queue == []


def test_oversized_uploads_are_refused(client, settings, media_root):
    settings.LOOK_MAX_BYTES = 5_000
    response = upload(client, jpeg((900, 900)) + b"\0" * 6_000)
    assert response.status_code == 400 and "limit" in response.json()["error"]
    assert Look.objects.count() == 0 and media_files(media_root) == []


def test_api_answers_202_with_a_status_url_and_queues_the_look(client, no_queue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, jpeg(), gender="women")
    assert response.status_code == 202
    body = response.json()
    look = Look.objects.get()
    assert body == {"id": str(look.pk), "status": "queued", "status_url": f"/api/looks/{look.pk}"}
    assert response["Location"] == body["status_url"]
    assert look.gender_choice == "women" and no_queue == [str(look.pk)]
    status = client.get(body["status_url"]).json()
    assert status["status"] == "queued" and "items" not in status


def test_stored_photos_get_random_names_and_no_location(client, media_root):
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 30.0)}
    upload(client, jpeg(exif=exif), name="holiday-in-paris.jpg")
    look = Look.objects.get()
    assert "paris" not in look.photo.name and look.photo.name.endswith(".jpg")
    with Image.open(look.photo.path) as stored:
        assert not stored.getexif()
    assert (look.width, look.height) == (160, 240)


def test_large_photos_are_stored_shrunk(client, settings):
    settings.LOOK_MAX_SIDE = 200
    upload(client, jpeg((1280, 960)))
    look = Look.objects.get()
    assert (look.width, look.height) == (200, 150)


def test_the_api_is_rate_limited_per_client(client, settings):
    settings.LOOK_RATE_LIMIT = 3
    codes = [upload(client, jpeg()).status_code for _ in range(4)]
    assert codes == [202, 202, 202, 429]
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert upload(other, jpeg()).status_code == 202


def test_a_wrong_gender_value_is_refused(client):
    response = upload(client, jpeg(), gender="robots")
    assert response.status_code == 400 and "gender must be" in response.json()["error"]
    assert Look.objects.count() == 0


def test_the_upload_form_needs_its_csrf_token(media_root):
    client = Client(enforce_csrf_checks=True)
    response = upload(client, jpeg(), url=reverse("upload"))
    assert response.status_code == 403
    assert Look.objects.count() == 0
    page = client.get(reverse("upload"))
    token = page.cookies["csrftoken"].value
    photo = io.BytesIO(jpeg())
    photo.name = "me.jpg"
    response = client.post(reverse("upload"), {"photo": photo, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("look", args=[Look.objects.get().pk])


def test_the_upload_page_offers_file_picker_drop_zone_and_camera(client):
    html = client.get(reverse("upload")).content.decode()
    assert 'type="file" name="photo"' in html and 'capture="environment"' in html and 'id="drop"' in html


def test_a_refused_form_upload_shows_the_reason_on_the_page(client):
    response = upload(client, b"nonsense", url=reverse("upload"))
    assert response.status_code == 400
    assert "That photo cannot be used: the file is not an image." in response.content.decode()


def test_unknown_looks_are_404_and_filters_are_checked(client):
    assert client.get("/api/looks/00000000-0000-0000-0000-000000000000").status_code == 404
    upload(client, jpeg())
    look = Look.objects.get()
    response = client.get(f"/api/looks/{look.pk}", {"min_price": "cheap"})
    assert response.status_code == 400 and json.loads(response.content)["error"] == "min_price must be a number"


def test_the_look_page_names_the_categories_of_the_taxonomy(client):
    # given: a stored look
    upload(client, jpeg())
    look = Look.objects.get()
    # when: its page is rendered
    page = client.get(reverse("look", args=[look.pk])).content.decode()
    # then: the region picker and the script's names both come from the taxonomy
    for c in CATEGORIES:
        assert f'<option value="{c.name}">{c.item_name}</option>' in page
    shipped = json.loads(page.split('<script id="categories" type="application/json">')[1].split("</script>")[0])
    assert [c["name"] for c in shipped] == [c.name for c in CATEGORIES]
    assert all(len(c["body_span"]) == 2 for c in shipped)
