"""Turning a presented key into an identity (the authorizer's decision)."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sandbox_common.auth import AuthContext, Permission, Role
from sandbox_common.errors import Conflict
from sandbox_common.keys.secrets import digest, looks_like_key
from sandbox_common.sandboxes.models import OPERATOR_SANDBOX_ID

if TYPE_CHECKING:
    from sandbox_common.keys.models import ApiKeyRecord
    from sandbox_common.storage.keys_repository import KeysRepository

_log = logging.getLogger(__name__)

# A key's last use is stamped at most this often: one write per key every few minutes
# however busy it is, and "last used" is still exact to within this interval.
USE_RECORD_INTERVAL = timedelta(minutes=5)

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

    A key without the ``sk_sandbox_`` shape is refused before any read. An accepted key's
    use is stamped (``last_used``) when its stamp is ``USE_RECORD_INTERVAL`` old or missing.
    """
    if not looks_like_key(presented):
        return None
    admin_key = bootstrap_admin_key()
    if admin_key and hmac.compare_digest(presented.encode(), admin_key.encode()):
        return BOOTSTRAP_ADMIN
    record = keys.by_hash(digest(presented))
    if record is None or not record.is_usable(now):
        return None
    if use_worth_recording(record.last_used_at, now):
        _record_use(keys, record, now)
    return record.auth_context()


def use_worth_recording(last_used_at: datetime | None, now: datetime) -> bool:
    """True when a use at ``now`` should be stamped: never stamped, or the stamp is at least
    ``USE_RECORD_INTERVAL`` old."""
    return last_used_at is None or now - last_used_at >= USE_RECORD_INTERVAL


def _record_use(keys: KeysRepository, record: ApiKeyRecord, now: datetime) -> None:
    # Bookkeeping only: a failed stamp never refuses a valid key.
    try:
        keys.record_use(record, now)
    except Conflict:
        pass  # a concurrent request stamped a later use, or the key was just deleted
    except Exception:
        _log.exception("key use not recorded", extra={"key_id": record.key_id})
