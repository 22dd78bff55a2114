"""Download a product photo from an allowed host and check it before it may enter the catalog."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass

from detection.photos import PhotoLimits, PhotoRejected, decode_photo

from .hosts import DisallowedHost, require_allowed

USER_AGENT = "ShopTheLookBot/0.1 (+catalog scraper)"


class ImageRejected(ValueError):
    """The URL answered, but not with an image we accept."""


class TransientFetchError(Exception):
    """A timeout, a connection error or a 5xx: worth retrying."""


@dataclass(frozen=True)
class ImageLimits:
    max_bytes: int
    max_pixels: int
    timeout: float = 15.0


@dataclass(frozen=True)
class CheckedImage:
    """A decoded photo re-encoded as a clean JPEG (no metadata), with its size."""

    jpeg: bytes
    width: int
    height: int


class _AllowListRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, allowed_hosts: tuple[str, ...]):
        self.allowed_hosts = allowed_hosts

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        require_allowed(newurl, self.allowed_hosts)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def download(url: str, allowed_hosts: tuple[str, ...], limits: ImageLimits) -> tuple[str, bytes]:
    """(content type, body) of `url`, read up to the byte limit; redirects are checked too."""
    require_allowed(url, allowed_hosts)
    opener = urllib.request.build_opener(_AllowListRedirects(allowed_hosts))
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "image/*"})
    try:
        with opener.open(request, timeout=limits.timeout) as response:
            content_type = response.headers.get_content_type()
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limits.max_bytes:
                raise ImageRejected(f"{url}: {int(declared):,} bytes is over the {limits.max_bytes:,} byte limit")
            body = response.read(limits.max_bytes + 1)
    except urllib.error.HTTPError as exc:
        if exc.code >= 500:
            raise TransientFetchError(f"{url}: HTTP {exc.code}") from exc
        raise ImageRejected(f"{url}: HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        if isinstance(getattr(exc, "reason", None), DisallowedHost):
            raise exc.reason from exc
        raise TransientFetchError(f"{url}: {getattr(exc, 'reason', exc)}") from exc
    if len(body) > limits.max_bytes:
        raise ImageRejected(f"{url}: more than the {limits.max_bytes:,} byte limit")
    return content_type, body


def check_image(url: str, content_type: str, body: bytes, limits: ImageLimits) -> CheckedImage:
    """Decode and normalise a downloaded photo, or say clearly why it is refused."""
    if not content_type.startswith("image/"):
        raise ImageRejected(f"{url}: content type {content_type!r} is not an image")
    try:
        photo = decode_photo(body, PhotoLimits(limits.max_bytes, limits.max_pixels))
    except PhotoRejected as exc:
        raise ImageRejected(f"{url}: {exc}") from exc
    return CheckedImage(photo.jpeg, photo.width, photo.height)


def fetch_image(url: str, allowed_hosts: tuple[str, ...], limits: ImageLimits) -> CheckedImage:
    content_type, body = download(url, allowed_hosts, limits)
    return check_image(url, content_type, body, limits)
