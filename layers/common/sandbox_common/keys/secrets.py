"""Generating key material and hashing it for storage.

Keys and secrets are 256+ bits from ``secrets``; for such inputs a single SHA-256 is the
standard at-rest form (a slow KDF guards low-entropy passwords, not random tokens) and it
lets the authorizer find a key by its hash in one read.
"""

from __future__ import annotations

import hashlib
import re
import secrets

KEY_PREFIX = "sk_sandbox_"
KEY_ID_PREFIX = "sbx_"
_KEY_SHAPE = re.compile(r"^sk_sandbox_[A-Za-z0-9_-]{20,200}$")
_KEY_ID_SHAPE = re.compile(r"^sbx_[A-Za-z0-9_-]{4,64}$")


def new_api_key() -> str:
    """A fresh clear-text key, ``sk_sandbox_`` + 43 url-safe characters."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def new_api_secret() -> str:
    """A fresh clear-text secret (returned once; webhooks are signed with its hash)."""
    return secrets.token_urlsafe(64)


def new_key_id() -> str:
    """A fresh public key id, ``sbx_`` + 12 url-safe characters."""
    return KEY_ID_PREFIX + secrets.token_urlsafe(9)


def digest(value: str) -> str:
    """SHA-256 hex digest, the stored form of keys and secrets."""
    return hashlib.sha256(value.encode()).hexdigest()


def looks_like_key(value: str) -> bool:
    """True if ``value`` has the shape of a sandbox key (cheap pre-check before any read)."""
    return bool(_KEY_SHAPE.fullmatch(value))


def looks_like_key_id(value: str) -> bool:
    """True if ``value`` has the shape of a key id."""
    return bool(_KEY_ID_SHAPE.fullmatch(value))


def display_prefix(api_key: str) -> str:
    """The part of a key safe to show in listings (``sk_sandbox_AbCd…``)."""
    return api_key[: len(KEY_PREFIX) + 4] + "…"
