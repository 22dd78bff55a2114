"""Untrusted photos: refused with a clear reason, or normalised to an upright, metadata-free RGB JPEG."""

import io

import numpy as np
import pytest
from PIL import Image

from detection.photos import PhotoLimits, PhotoRejected, decode_photo

LIMITS = PhotoLimits(max_bytes=2_000_000, max_pixels=4_000_000)


def encoded(image: Image.Image, fmt: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"%PDF-1.4 not a photo at all", "not an image"),
        (encoded(Image.new("RGB", (80, 60), "red"), "JPEG")[:300], "corrupt or truncated"),
        (encoded(Image.new("RGB", (80, 60), "red"), "BMP"), "BMP images are not supported"),
        (encoded(Image.new("RGB", (80, 60), "red"), "TIFF"), "TIFF images are not supported"),
    ],
    ids=["empty", "not-an-image", "truncated", "bmp", "tiff"],
)
def test_unusable_files_are_refused_with_the_reason(data, reason):
    with pytest.raises(PhotoRejected, match=reason):
        decode_photo(data, LIMITS)


def test_a_file_over_the_byte_limit_is_refused_before_decoding():
    noise = np.random.default_rng(0).integers(0, 255, (900, 900, 3), np.uint8)
    data = encoded(Image.fromarray(noise), "PNG")
    assert len(data) > LIMITS.max_bytes
    with pytest.raises(PhotoRejected, match="bytes; the limit is"):
        decode_photo(data, LIMITS)


def test_a_decompression_bomb_is_refused_from_its_header():
    # given: a 6000 x 6000 PNG that compresses to a few kilobytes
    data = encoded(Image.new("L", (6000, 6000), 0), "PNG")
    assert len(data) < 100_000
    # then: refused on its pixel count, without decoding 36 million pixels
    with pytest.raises(PhotoRejected, match="pixel limit"):
        decode_photo(data, LIMITS)


def test_exif_orientation_is_applied_and_all_metadata_dropped():
    # given: a landscape JPEG whose EXIF says "rotate 90°" and carries a GPS position
    image = Image.new("RGB", (120, 80), "blue")
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 CW to display
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}  # GPS IFD
    data = encoded(image, "JPEG", exif=exif.tobytes())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)
    # when
    photo = decode_photo(data, LIMITS)
    # then: upright (portrait), and the stored JPEG has no EXIF at all
    assert (photo.width, photo.height) == (80, 120)
    stored = Image.open(io.BytesIO(photo.jpeg))
    assert not stored.getexif()
    assert "exif" not in stored.info and "icc_profile" not in stored.info


def test_comments_and_xmp_are_not_carried_into_the_stored_jpeg():
    # given: a JPEG whose comment names its owner and whose XMP holds a GPS position
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="48,51.5N"/>'
        b"</rdf:RDF></x:xmpmeta>"
    )
    data = encoded(Image.new("RGB", (64, 48), "navy"), "JPEG", comment=b"Owner: Jane Doe", xmp=xmp)
    assert b"Jane Doe" in data and b"GPSLatitude" in data
    # when
    photo = decode_photo(data, LIMITS)
    # then
    assert b"Jane Doe" not in photo.jpeg and b"GPSLatitude" not in photo.jpeg
    assert "comment" not in Image.open(io.BytesIO(photo.jpeg)).info


@pytest.mark.parametrize(
    ("image", "fmt", "expected"),
    [
        (Image.new("CMYK", (40, 30), (0, 255, 255, 0)), "JPEG", (255, 0, 0)),
        (Image.new("RGBA", (40, 30), (0, 0, 255, 0)), "PNG", (255, 255, 255)),  # transparent -> white
        (Image.new("LA", (40, 30), (0, 255)), "PNG", (0, 0, 0)),
        (Image.fromarray(np.full((30, 40), 65535, np.uint16)), "PNG", (255, 255, 255)),  # 16-bit
        (Image.new("P", (40, 30), 3), "GIF", None),
    ],
    ids=["cmyk", "rgba", "grey-alpha", "16-bit", "palette"],
)
def test_every_mode_becomes_8_bit_rgb(image, fmt, expected):
    photo = decode_photo(encoded(image, fmt), LIMITS)
    assert photo.image.mode == "RGB"
    assert photo.image.size == (40, 30)
    if expected is not None:
        assert np.abs(np.asarray(photo.image, int)[15, 20] - expected).max() <= 12


def test_an_animation_is_judged_by_its_first_frame():
    frames = [Image.new("RGB", (40, 30), c) for c in ("red", "green", "blue")]
    data = encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    photo = decode_photo(data, LIMITS)
    r, g, b = np.asarray(photo.image, int)[15, 20]
    assert r > 200 and g < 60 and b < 60
