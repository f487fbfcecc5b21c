"""Which webhook URLs may be called: public addresses only, unless private ones are allowed."""

import ipaddress
from collections.abc import Iterable

import pytest

from common.channels.webhook_policy import (
    WebhookAddressRefused,
    WebhookHostUnresolved,
    allow_private_from_env,
    check_webhook_url,
    refusal,
    vet_webhook_url,
)

PUBLIC_V4 = "93.184.215.14"
PUBLIC_V6 = "2606:2800:21f:cb07:6820:80da:af6b:8b2c"


def resolver(*addresses: str) -> "FakeResolver":
    return FakeResolver(addresses)


class FakeResolver:
    def __init__(self, addresses: Iterable[str]) -> None:
        self.addresses = list(addresses)
        self.asked: list[tuple[str, int]] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append((host, port))
        return self.addresses


def unresolvable(host: str, port: int) -> list[str]:
    raise OSError("Name or service not known")


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback address"),
        ("127.1.2.3", "loopback address"),
        ("::1", "loopback address"),
        ("10.1.2.3", "private address"),
        ("172.16.0.1", "private address"),
        ("172.31.255.255", "private address"),
        ("192.168.1.1", "private address"),
        ("fd12:3456::1", "private address"),
        ("fc00::1", "private address"),
        ("169.254.169.254", "link-local address"),  # the cloud metadata service
        ("169.254.0.1", "link-local address"),
        ("fe80::1", "link-local address"),
        ("0.0.0.0", "unspecified address"),  # noqa: S104 - an address to refuse, not to bind
        ("::", "unspecified address"),
        ("224.0.0.1", "multicast address"),
        ("239.255.255.250", "multicast address"),
        ("ff02::1", "multicast address"),
        ("100.64.0.1", "shared (CGNAT) address"),
        ("100.127.255.254", "shared (CGNAT) address"),
        ("240.0.0.1", "reserved address"),
        ("255.255.255.255", "reserved address"),
        ("192.0.2.10", "non-public address"),  # documentation range
        ("198.18.0.1", "non-public address"),  # benchmarking range
        ("0.1.2.3", "non-public address"),  # "this network"
        ("2001:db8::1", "non-public address"),
    ],
)
def test_non_public_addresses_are_refused_with_their_reason(address: str, reason: str) -> None:
    assert refusal(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("::ffff:127.0.0.1", "loopback address"),  # IPv4-mapped
        ("::ffff:169.254.169.254", "link-local address"),
        ("::ffff:10.0.0.1", "private address"),
        ("64:ff9b::a00:1", "private address"),  # NAT64 of 10.0.0.1
        ("64:ff9b::7f00:1", "loopback address"),  # NAT64 of 127.0.0.1
        ("2002:a9fe:a9fe::1", "link-local address"),  # 6to4 of 169.254.169.254
        ("2002:c0a8:101::1", "private address"),  # 6to4 of 192.168.1.1
    ],
)
def test_ipv4_hidden_in_ipv6_is_judged_as_the_ipv4_address(address: str, reason: str) -> None:
    assert refusal(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize(
    "address", [PUBLIC_V4, "8.8.8.8", "1.1.1.1", PUBLIC_V6, "::ffff:8.8.8.8", "64:ff9b::808:808"]
)
def test_public_addresses_pass(address: str) -> None:
    assert refusal(ipaddress.ip_address(address)) is None


def test_a_public_host_is_allowed_and_resolved_with_its_port() -> None:
    resolve = resolver(PUBLIC_V4, PUBLIC_V6)
    check_webhook_url("https://hooks.example.com/tandem", allow_private=False, resolve=resolve)
    check_webhook_url("http://hooks.example.com:8080/x", allow_private=False, resolve=resolve)
    assert resolve.asked == [("hooks.example.com", 443), ("hooks.example.com", 8080)]


def test_one_private_address_among_public_ones_is_enough_to_refuse() -> None:
    resolve = resolver(PUBLIC_V4, "10.0.0.7")
    with pytest.raises(WebhookAddressRefused) as refused:
        check_webhook_url("https://rebind.example.com/", allow_private=False, resolve=resolve)
    assert refused.value.reason == "private address"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/latest/meta-data/",
        "https://10.0.0.1/",
    ],
)
def test_literal_private_addresses_are_refused_without_resolving(url: str) -> None:
    with pytest.raises(WebhookAddressRefused):
        check_webhook_url(url, allow_private=False, resolve=unresolvable)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://hooks.example.com/", "only http and https URLs are allowed"),
        ("file:///etc/passwd", "only http and https URLs are allowed"),
        ("gopher://hooks.example.com/", "only http and https URLs are allowed"),
        ("hooks.example.com/path", "only http and https URLs are allowed"),
        ("https:///path-only", "URL has no host"),
        ("https://hooks.example.com:99999/", "malformed URL"),
    ],
)
def test_other_schemes_and_malformed_urls_are_refused(url: str, reason: str) -> None:
    with pytest.raises(WebhookAddressRefused) as refused:
        check_webhook_url(url, allow_private=False, resolve=resolver(PUBLIC_V4))
    assert refused.value.reason == reason


def test_allow_private_lets_loopback_and_private_hosts_through() -> None:
    check_webhook_url("http://127.0.0.1:8000/hook", allow_private=True)
    check_webhook_url("http://hooks.lan/", allow_private=True, resolve=resolver("192.168.1.9"))


def test_allow_private_still_refuses_other_schemes() -> None:
    with pytest.raises(WebhookAddressRefused):
        check_webhook_url("file:///etc/passwd", allow_private=True)


def test_an_unresolvable_host_is_not_a_refusal() -> None:
    with pytest.raises(WebhookHostUnresolved):
        check_webhook_url("https://nowhere.invalid/", allow_private=False, resolve=unresolvable)


def test_a_host_without_addresses_is_refused() -> None:
    with pytest.raises(WebhookAddressRefused):
        check_webhook_url("https://empty.example.com/", allow_private=False, resolve=resolver())


async def test_vetting_returns_the_checked_addresses_for_pinning() -> None:
    async def resolve(host: str, port: int) -> list[str]:
        return [PUBLIC_V4, PUBLIC_V6]

    vetted = await vet_webhook_url(
        "http://hooks.example.com/x", allow_private=False, resolve=resolve
    )
    assert (vetted.scheme, vetted.host, vetted.port) == ("http", "hooks.example.com", 80)
    assert vetted.addresses == (PUBLIC_V4, PUBLIC_V6)


async def test_vetting_refuses_what_the_check_refuses() -> None:
    async def resolve(host: str, port: int) -> list[str]:
        return ["169.254.169.254"]

    with pytest.raises(WebhookAddressRefused):
        await vet_webhook_url("https://metadata.example.com/", allow_private=False, resolve=resolve)


async def test_the_default_resolver_resolves_localhost_to_loopback() -> None:
    with pytest.raises(WebhookAddressRefused) as refused:
        await vet_webhook_url("http://localhost:9/", allow_private=False)
    assert refused.value.reason == "loopback address"


@pytest.mark.parametrize(
    ("value", "allowed"),
    [("1", True), ("true", True), ("YES", True), (" on ", True), ("0", False), ("", False)],
)
def test_allow_private_comes_from_the_environment(value: str, allowed: bool) -> None:
    assert allow_private_from_env({"TANDEM_WEBHOOK_ALLOW_PRIVATE": value}) is allowed


def test_private_webhooks_are_refused_when_the_variable_is_unset() -> None:
    assert allow_private_from_env({}) is False
