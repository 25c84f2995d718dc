"""Turning a presented key into an identity (the authorizer's decision)."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from sandbox_common.auth import AuthContext, Permission, Role
from sandbox_common.keys.secrets import digest, looks_like_key
from sandbox_common.sandboxes.models import OPERATOR_SANDBOX_ID

if TYPE_CHECKING:
    from sandbox_common.storage.keys_repository import KeysRepository

BOOTSTRAP_ADMIN = AuthContext(
    key_id="bootstrap-admin",
    sandbox_id=OPERATOR_SANDBOX_ID,
    role=Role.ADMIN,
    permissions=frozenset(Permission),
    tier="admin",
)


def authenticate(
    presented: str,
    *,
    keys: KeysRepository,
    bootstrap_admin_key: Callable[[], str | None],
    now: datetime,
) -> AuthContext | None:
    """The identity of an active, unexpired key, or None (unknown, revoked, expired, malformed).

    A key without the ``sk_sandbox_`` shape is refused before any read.
    """
    if not looks_like_key(presented):
        return None
    admin_key = bootstrap_admin_key()
    if admin_key and hmac.compare_digest(presented.encode(), admin_key.encode()):
        return BOOTSTRAP_ADMIN
    record = keys.by_hash(digest(presented))
    if record is None or not record.is_usable(now):
        return None
    return record.auth_context()
