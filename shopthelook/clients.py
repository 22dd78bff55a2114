"""Who is asking: the client's address, from the socket or from the one proxy the deployment trusts."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR; or, behind a trusted proxy (TRUSTED_PROXY_HEADER), the address that proxy saw.

    A proxy appends the address it saw to the forwarded header, so the entry TRUSTED_PROXY_COUNT
    from the right is the client's: whatever stands to its left the client may have written itself.
    A request that does not come from one of TRUSTED_PROXIES (when they are listed) is taken at its
    socket's word. The upload rate limit and the admin lock-out both count by this address.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    header = settings.TRUSTED_PROXY_HEADER
    if not header or (settings.TRUSTED_PROXIES and remote not in settings.TRUSTED_PROXIES):
        return remote
    hops = [h.strip() for h in request.headers.get(header, "").split(",") if h.strip()]
    count = settings.TRUSTED_PROXY_COUNT
    return hops[-count] if len(hops) >= count else remote
