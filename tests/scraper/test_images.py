"""Downloaded photos are checked for type, size and decodability, over real HTTP from the demo store."""

import io

import pytest
from PIL import Image

from scraper.hosts import DisallowedHost
from scraper.images import ImageLimits, ImageRejected, check_image, fetch_image
from synthetic.server import StoreServer
from tests.helpers import faulty_store_for

LIMITS = ImageLimits(max_bytes=5 * 1024 * 1024, max_pixels=25_000_000, timeout=10)
LOCAL = ("127.0.0.1",)


@pytest.fixture(scope="module")
def faulty(demo_products):
    store, chosen = faulty_store_for(demo_products)
    with StoreServer(store) as server:
        yield server, chosen


def test_a_good_photo_is_reencoded_as_plain_jpeg(faulty):
    server, _ = faulty
    ok_id = "DS00000-0"
    checked = fetch_image(f"{server.url}/img/{ok_id}/front.jpg", LOCAL, LIMITS)
    image = Image.open(io.BytesIO(checked.jpeg))
    assert image.format == "JPEG" and image.size == (checked.width, checked.height) == (320, 400)
    assert not image.getexif()


@pytest.mark.parametrize(
    ("fault", "message"),
    [("not_image", "is not an image"), ("oversized", "byte limit"), ("bomb", "pixel limit")],
)
def test_bad_photos_are_rejected_with_a_clear_reason(faulty, fault, message):
    server, chosen = faulty
    with pytest.raises(ImageRejected, match=message):
        fetch_image(f"{server.url}/img/{chosen[fault]}/front.jpg", LOCAL, LIMITS)


def test_a_photo_on_another_host_is_never_requested(faulty):
    with pytest.raises(DisallowedHost):
        fetch_image("http://images.offsite-cdn.invalid/x/front.jpg", LOCAL, LIMITS)


def test_missing_photo_is_rejected_not_retried(faulty):
    server, _ = faulty
    with pytest.raises(ImageRejected, match="HTTP 404"):
        fetch_image(f"{server.url}/img/NOPE/front.jpg", LOCAL, LIMITS)


def test_truncated_jpeg_is_rejected():
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(buf, "JPEG")
    with pytest.raises(ImageRejected, match="corrupt or truncated"):
        check_image("http://x/a.jpg", "image/jpeg", buf.getvalue()[:200], LIMITS)


def test_exif_orientation_is_applied_and_metadata_dropped():
    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise on display
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # a GPS position that must not survive
    Image.new("RGB", (40, 20), "blue").save(buf, "JPEG", exif=exif)
    checked = check_image("http://x/a.jpg", "image/jpeg", buf.getvalue(), LIMITS)
    out = Image.open(io.BytesIO(checked.jpeg))
    assert out.size == (20, 40)
    assert not out.getexif()
