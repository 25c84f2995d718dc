"""The caller's ledger scope: its sandbox (from the authorizer context) and live generation."""

from __future__ import annotations

import uuid

from sandbox_common import providers
from sandbox_common.auth import AuthContext
from sandbox_common.pagination import MAX_PAGE_SIZE, decode_cursor
from sandbox_common.sandboxes.current import caller_sandbox
from sandbox_common.sandboxes.models import Sandbox
from sandbox_common.storage.ledger_items import Kind, LedgerScope, expiry, start_key


def ledger_scope(caller: AuthContext) -> tuple[Sandbox, LedgerScope]:
    """The caller's sandbox and the scope of its live data."""
    sandbox = caller_sandbox(caller)
    return sandbox, LedgerScope(sandbox.sandbox_id, sandbox.data_generation)


def data_expiry() -> int:
    """The TTL of a ledger item written now (see ``Settings.data_retention_days``)."""
    return expiry(providers.settings().data_retention_days)


def page_start(scope: LedgerScope, kind: Kind, cursor: str | None) -> dict[str, str] | None:
    """The position a listing cursor encodes; 400 if it is malformed or another sandbox's."""
    return start_key(decode_cursor(cursor, scope.cursor_scope(kind)))


def page_limit(limit: int) -> int:
    """``limit`` clamped to what one page may hold."""
    return max(1, min(limit, MAX_PAGE_SIZE))


def new_id() -> str:
    """A fresh record id (uuid4, as generated records have)."""
    return str(uuid.uuid4())
