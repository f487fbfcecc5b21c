"""Per-person data keys: made at random, stored wrapped, unwrapped in memory only.

Each subject (a participant, a support contact, or a plan for text nobody else owns) has
one 256-bit data key. The table ``data_keys`` holds it wrapped with AES-GCM under the
key-encryption key (KEK), never in the clear; the KEK is derived with HKDF-SHA256 from the
event store's chain key, itself derived from the service secret (TANDEM_SECRET_KEY), so it
is never stored anywhere. A wrapped key names its KEK by a short id, so a process that
knows several secrets (tests, a secret rotation) unwraps with the right one.

The KEKs a process knows are kept in ``KEYRING``: an append learns its own, a process that
only reads learns it at start (``learn``), from the same settings it appends with.
"""

import hashlib
import hmac
import os
from functools import lru_cache
from typing import NamedTuple
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # AES-GCM's standard nonce
KEK_ID_BYTES = 8
KEK_INFO = b"tandem/data-keys/kek/v1"
NONCE_KEY_INFO = b"tandem/data-keys/nonce/v1"


class SealingError(Exception):
    """Sealed data that this process cannot open: an unknown KEK, or tampered bytes."""


def _hkdf(key: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(key)


class Kek(NamedTuple):
    kek_id: bytes
    aead: AESGCM


@lru_cache(maxsize=8)
def kek_of(chain_key: bytes) -> Kek:
    """The key-encryption key that goes with the chain key of one service secret."""
    kek = _hkdf(chain_key, KEK_INFO)
    kek_id = hmac.new(kek, b"kek-id", hashlib.sha256).digest()[:KEK_ID_BYTES]
    return Kek(kek_id, AESGCM(kek))


class Keyring:
    """The KEKs this process knows, by id."""

    def __init__(self) -> None:
        self._keks: dict[bytes, Kek] = {}

    def learn(self, chain_key: bytes) -> Kek:
        kek = kek_of(chain_key)
        self._keks[kek.kek_id] = kek
        return kek

    def get(self, kek_id: bytes) -> Kek:
        kek = self._keks.get(kek_id)
        if kek is None:
            raise SealingError(
                "personal data is sealed under a key this process does not know: start it "
                "with the service secret (TANDEM_SECRET_KEY) the events were written with"
            )
        return kek


KEYRING = Keyring()


def learn(chain_key: bytes) -> None:
    """Let this process open what was sealed under the service secret of ``chain_key``."""
    KEYRING.learn(chain_key)


class DataKey:
    """One subject's data key, unwrapped: it seals and opens that subject's fields.

    The nonce of a sealed value is HMAC(nonce key, event id | path | plaintext), truncated:
    sealing the same value of the same event twice gives the same bytes (a retried append
    compares what it would store with what is stored), and two different plaintexts never
    share a nonce under one key.
    """

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)
        self._nonce_key = _hkdf(key, NONCE_KEY_INFO)

    def seal(self, plaintext: str, aad: bytes) -> bytes:
        data = plaintext.encode()
        nonce = hmac.new(self._nonce_key, aad + b"\x00" + data, hashlib.sha256).digest()
        nonce = nonce[:NONCE_BYTES]
        return nonce + self._aead.encrypt(nonce, data, aad)

    def open(self, sealed: bytes, aad: bytes) -> str:
        try:
            data = self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
        except InvalidTag as error:
            raise SealingError("a sealed field does not open: altered, or moved") from error
        return data.decode()


def new_key_id() -> int:
    """A random positive 63-bit id: two makers of keys never clash, so never wait."""
    return int.from_bytes(os.urandom(8), "big") >> 1


def new_wrapped(kek: Kek, subject_id: UUID) -> bytes:
    """A fresh random data key for ``subject_id``, wrapped under ``kek``."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + kek.aead.encrypt(nonce, os.urandom(KEY_BYTES), subject_id.bytes)


@lru_cache(maxsize=4096)
def unwrapped(kek_id: bytes, wrapped: bytes, subject_id: UUID) -> DataKey:
    """The data key in ``wrapped`` (bound to its subject: it opens for no other one).

    Cached by the wrapped bytes, which only a read of the keys table gives: after a shred
    that read finds no key, so a cached one is never used again.
    """
    kek = KEYRING.get(kek_id)
    nonce, body = wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:]
    try:
        key = kek.aead.decrypt(nonce, body, subject_id.bytes)
    except InvalidTag as error:
        raise SealingError(f"the data key of {subject_id} does not unwrap") from error
    return DataKey(key)
