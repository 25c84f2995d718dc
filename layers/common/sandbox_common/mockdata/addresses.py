"""Network account ids: Stellar StrKey public keys ("G...") and Hedera ids ("0.0.N").

Stellar keys are real StrKeys (version byte, 32 key bytes, CRC16-XModem checksum, base32),
so SDKs and validators that integrators point at sandbox data accept them.
"""

from __future__ import annotations

import base64
import binascii
from random import Random

# StrKey version byte of an ed25519 public key: 6 << 3 encodes to a leading "G".
_ACCOUNT_ID_VERSION = 6 << 3
_KEY_BYTES = 32
_STRKEY_LENGTH = 56
HEDERA_ACCOUNT_RANGE = (10_000, 9_999_999)


def crc16_xmodem(data: bytes) -> int:
    """CRC-16/XMODEM (poly 0x1021, init 0, no reflection), the checksum of a StrKey."""
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def stellar_address(key: bytes) -> str:
    """The StrKey ("G" + 55 characters) of a 32-byte ed25519 public key."""
    if len(key) != _KEY_BYTES:
        raise ValueError("a Stellar public key is 32 bytes")
    payload = bytes((_ACCOUNT_ID_VERSION,)) + key
    checksum = crc16_xmodem(payload).to_bytes(2, "little")
    return base64.b32encode(payload + checksum).decode("ascii")


def is_valid_stellar_public_key(value: str) -> bool:
    """Whether ``value`` is a well-formed Stellar account id (version, length, checksum)."""
    if len(value) != _STRKEY_LENGTH or not value.startswith("G"):
        return False
    try:
        raw = base64.b32decode(value, casefold=False)
    except (binascii.Error, ValueError):
        return False
    payload, checksum = raw[:-2], raw[-2:]
    return (
        payload[0] == _ACCOUNT_ID_VERSION
        and crc16_xmodem(payload).to_bytes(2, "little") == checksum
        # Re-encoding catches non-canonical text that still decodes (StrKey is canonical).
        and base64.b32encode(raw).decode("ascii") == value
    )


def hedera_account_id(number: int) -> str:
    """The Hedera account id ``0.0.number`` (shard 0, realm 0)."""
    if number < 0:
        raise ValueError("a Hedera account number is not negative")
    return f"0.0.{number}"


def random_stellar_address(rng: Random) -> str:
    """A random but valid Stellar account id drawn from ``rng``."""
    return stellar_address(rng.getrandbits(8 * _KEY_BYTES).to_bytes(_KEY_BYTES, "big"))


def random_hedera_account_id(rng: Random) -> str:
    """A random Hedera account id, its number in ``HEDERA_ACCOUNT_RANGE``, drawn from ``rng``."""
    return hedera_account_id(rng.randint(*HEDERA_ACCOUNT_RANGE))
