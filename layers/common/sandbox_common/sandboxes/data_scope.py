"""The caller's sandbox-data scope: its sandbox (from the authorizer context) and live
generation, which every group's records (ledger, scenario runs, messaging) live under."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sandbox_common import providers
from sandbox_common.auth import AuthContext
from sandbox_common.pagination import (
    MAX_PAGE_SIZE,
    ListingQuery,
    decode_cursor,
    encode_cursor,
    listing_scope,
)
from sandbox_common.sandboxes.current import caller_sandbox
from sandbox_common.sandboxes.models import Sandbox
from sandbox_common.storage.listing_plan import checked_position, cursor_payload
from sandbox_common.storage.sandbox_items import KEPT_EXPIRY, DataScope, Kind, expiry


def data_scope(caller: AuthContext) -> tuple[Sandbox, DataScope]:
    """The caller's sandbox and the scope of its live data."""
    sandbox = caller_sandbox(caller)
    return sandbox, DataScope(sandbox.sandbox_id, sandbox.data_generation)


def data_expiry(*, after: timedelta = timedelta(0), kept: bool | None = None) -> int:
    """The TTL of a sandbox-data item written now: ``KEPT_EXPIRY`` in a persistent sandbox,
    else ``Settings.data_retention_days`` from now (counted from ``after`` from now, for a
    record needed until then).

    ``kept`` says whether the sandbox is persistent; by default the request's caller sandbox
    tells (``caller_sandbox`` sets it). Code outside a request passes its sandbox's flag.
    """
    if providers.sandbox_data_kept() if kept is None else kept:
        return KEPT_EXPIRY
    return expiry(providers.settings().data_retention_days) + int(after.total_seconds())


def page_start(scope: DataScope, kind: Kind, where: ListingQuery) -> str | None:
    """The position ``where.cursor`` continues after.

    400 if the cursor is malformed, another sandbox's, another kind's, or was issued for
    other filters (it would skip or repeat records of this listing).
    """
    return checked_position(decode_cursor(where.cursor, _cursor_scope(scope, kind, where)))


def page_cursor(
    scope: DataScope, kind: Kind, where: ListingQuery, position: str | None
) -> str | None:
    """The ``X-Next-Cursor`` of a page of ``where`` that stopped at ``position``."""
    return encode_cursor(cursor_payload(position), _cursor_scope(scope, kind, where))


def page_limit(limit: int) -> int:
    """``limit`` clamped to what one page may hold."""
    return max(1, min(limit, MAX_PAGE_SIZE))


def new_id() -> str:
    """A fresh record id (uuid4, as generated records have)."""
    return str(uuid.uuid4())


def _cursor_scope(scope: DataScope, kind: Kind, where: ListingQuery) -> str:
    return listing_scope(scope.sandbox_id, kind.value, where.conditions())
