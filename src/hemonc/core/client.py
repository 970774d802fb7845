"""The address of the client, as the reverse proxies we trust saw it."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _address(value: str) -> Address | None:
    """An address from a header entry: `1.2.3.4`, `1.2.3.4:5678`, `[2001:db8::1]:443`."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The client's address: the connection's peer, unless that is a trusted proxy.

    Behind `settings.TRUSTED_PROXIES` (addresses or networks), X-Forwarded-For is read from
    right to left, skipping trusted hops; the first other address is the client's, as the
    proxy next to it saw it. Entries further left were written by the client, never read.
    Without trusted proxies the header is ignored: anyone can send it.
    """
    # A WSGI server always sets REMOTE_ADDR; without it, one unknown address for all.
    remote = _address(request.META.get("REMOTE_ADDR", "")) or ipaddress.IPv4Address(0)
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))

    def trusted(address: Address) -> bool:
        return any(address in network for network in networks)

    if not networks or not trusted(remote):
        return str(remote)
    hop = remote
    for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(entry)
        if address is None:
            break
        hop = address
        if not trusted(address):
            break
    return str(hop)
