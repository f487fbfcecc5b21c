"""Which webhook URLs the notifier may call: a guard against server-side request forgery.

A webhook URL is chosen by a user, and the notifier calls it from inside our network; so
only http(s) URLs whose host resolves to public addresses only are allowed. Every address
the host resolves to is checked (one private answer is enough to refuse), including the
IPv4 addresses hidden inside IPv6 forms (mapped, NAT64, 6to4, Teredo). Loopback and
private receivers are allowed only with ``allow_private`` (``TANDEM_WEBHOOK_ALLOW_PRIVATE=1``
in development and tests).

The adapter re-checks before every try and connects to an address it checked (see
``VettedUrl``), so a name that resolves differently the second time (DNS rebinding)
cannot slip through.
"""

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Iterable[str]]
AsyncResolver = Callable[[str, int], Awaitable[Iterable[str]]]

ALLOW_PRIVATE_ENV = "TANDEM_WEBHOOK_ALLOW_PRIVATE"
_TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
_DEFAULT_PORTS = {"http": 80, "https": 443}

_PRIVATE = tuple(
    ipaddress.ip_network(net)
    for net in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


class WebhookAddressRefused(Exception):
    """The URL may not be called; ``reason`` names the rule (never the address)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class WebhookHostUnresolved(Exception):
    """The host name did not resolve: perhaps only for now, so not a refusal."""


@dataclass(frozen=True)
class VettedUrl:
    """A URL that passed the checks, with the addresses that were checked."""

    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]


def allow_private_from_env(environ: Mapping[str, str]) -> bool:
    return environ.get(ALLOW_PRIVATE_ENV, "").strip().lower() in _TRUE_WORDS


def check_webhook_url(url: str, *, allow_private: bool, resolve: Resolver | None = None) -> None:
    """Raise ``WebhookAddressRefused`` unless ``url`` may be called (blocking resolver)."""
    _, host, port = _split(url)
    addresses = _literal(host) or _resolve_sync(resolve or _getaddrinfo, host, port)
    _check_addresses(addresses, allow_private=allow_private)


async def vet_webhook_url(
    url: str, *, allow_private: bool, resolve: AsyncResolver | None = None
) -> VettedUrl:
    """Like ``check_webhook_url``, resolving without blocking; returns what was checked."""
    scheme, host, port = _split(url)
    addresses = _literal(host)
    if not addresses:
        try:
            addresses = tuple(await (resolve or getaddrinfo_async)(host, port))
        except OSError as error:
            raise WebhookHostUnresolved(host) from error
    _check_addresses(addresses, allow_private=allow_private)
    return VettedUrl(url=url, scheme=scheme, host=host, port=port, addresses=addresses)


def refusal(address: IPAddress) -> str | None:
    """Why ``address`` is not a public unicast address, or None when it is."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return refusal(embedded)
    checks = (
        (address.is_unspecified, "unspecified address"),
        (address.is_loopback, "loopback address"),
        (address.is_link_local, "link-local address"),
        (address.is_multicast, "multicast address"),
        (any(address in net for net in _PRIVATE), "private address"),
        (address in _CGNAT, "shared (CGNAT) address"),
        (address.is_reserved, "reserved address"),
        (not address.is_global, "non-public address"),
    )
    return next((reason for failed, reason in checks if failed), None)


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, if it is one of the known forms."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]  # the client's address
    if any(address in net for net in _NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _split(url: str) -> tuple[str, str, int]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise WebhookAddressRefused("malformed URL") from error
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise WebhookAddressRefused("only http and https URLs are allowed")
    if not parts.hostname:
        raise WebhookAddressRefused("URL has no host")
    return scheme, parts.hostname, port or _DEFAULT_PORTS[scheme]


def _literal(host: str) -> tuple[str, ...]:
    """The host itself when it is an IP address literal (nothing to resolve)."""
    try:
        return (str(ipaddress.ip_address(host)),)
    except ValueError:
        return ()


def _resolve_sync(resolve: Resolver, host: str, port: int) -> tuple[str, ...]:
    try:
        return tuple(resolve(host, port))
    except OSError as error:
        raise WebhookHostUnresolved(host) from error


def _check_addresses(addresses: Iterable[str], *, allow_private: bool) -> None:
    parsed = [ipaddress.ip_address(address) for address in addresses]
    if not parsed:
        raise WebhookAddressRefused("host has no addresses")
    if allow_private:
        return
    for address in parsed:
        reason = refusal(address)
        if reason is not None:
            raise WebhookAddressRefused(reason)


def _getaddrinfo(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return _unique_hosts(info[4][0] for info in infos)


async def getaddrinfo_async(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to, in the system's preferred order."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return _unique_hosts(info[4][0] for info in infos)


def _unique_hosts(hosts: Iterable[str | int]) -> list[str]:
    return list(dict.fromkeys(str(host) for host in hosts))
