"""The allow-list check every request of a scrape goes through."""

from __future__ import annotations

from urllib.parse import urlsplit


class DisallowedHost(Exception):
    """A URL points outside the hosts a site profile allows."""


def host_allowed(url: str, allowed_hosts: tuple[str, ...] | list[str]) -> bool:
    """True for http(s) URLs whose host is listed, or matches a listed `*.domain` entry."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    host = parts.hostname.lower()
    for allowed in allowed_hosts:
        allowed = allowed.lower()
        if allowed.startswith("*.") and host.endswith(allowed[1:]):
            return True
        if host == allowed:
            return True
    return False


def require_allowed(url: str, allowed_hosts: tuple[str, ...] | list[str]) -> str:
    if not host_allowed(url, allowed_hosts):
        raise DisallowedHost(f"{url} is not on an allowed host ({', '.join(allowed_hosts)})")
    return url
