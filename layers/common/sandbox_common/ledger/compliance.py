"""Compliance flag use cases: list, show, take into review, resolve."""

from __future__ import annotations

from sandbox_common import providers
from sandbox_common.auth import AuthContext, Permission
from sandbox_common.errors import NotFound
from sandbox_common.ledger.models import ComplianceFlag, FlagFilter, FlagResolve, FlagStatus
from sandbox_common.ledger.rules import next_flag_status
from sandbox_common.pagination import Page
from sandbox_common.sandboxes.data_scope import data_scope, page_cursor, page_limit, page_start
from sandbox_common.storage.sandbox_items import DataScope, Kind


def list_flags(caller: AuthContext, where: FlagFilter) -> Page[ComplianceFlag]:
    """A page of the sandbox's flags matching ``where``, newest first.

    The page may be short, even empty, while a cursor follows (see ``listing_plan``).
    """
    caller.require(Permission.READ)
    _, scope = data_scope(caller)
    page = providers.flags_repository().page(
        scope,
        where,
        limit=page_limit(where.limit),
        after=page_start(scope, Kind.FLAG, where),
    )
    return Page(page.items, page_cursor(scope, Kind.FLAG, where, page.next_position))


def get_flag(caller: AuthContext, flag_id: str) -> ComplianceFlag:
    """One flag of the sandbox; 404 otherwise."""
    caller.require(Permission.READ)
    _, scope = data_scope(caller)
    return find_flag(scope, flag_id)


def find_flag(scope: DataScope, flag_id: str) -> ComplianceFlag:
    """The scope's flag; NotFound otherwise."""
    flag = providers.flags_repository().get(scope, flag_id)
    if flag is None:
        raise NotFound(f"Compliance flag {flag_id} not found")
    return flag


def review_flag(caller: AuthContext, flag_id: str) -> ComplianceFlag:
    """Take an open flag into review (open -> in_review); 409 from any other status."""
    caller.require(Permission.WRITE)
    _, scope = data_scope(caller)
    flag = find_flag(scope, flag_id)
    status = next_flag_status(flag, FlagStatus.IN_REVIEW)
    now = providers.clock().now()
    reviewed = flag.model_copy(update={"status": status, "updated_at": now})
    return providers.flags_repository().replace(scope, reviewed, expected=flag.status)


def resolve_flag(caller: AuthContext, flag_id: str, request: FlagResolve) -> ComplianceFlag:
    """Resolve a flag (from open or in_review); resolving a resolved flag is 409."""
    caller.require(Permission.WRITE)
    _, scope = data_scope(caller)
    return resolve_in_scope(scope, caller.key_id, flag_id, request)


def resolve_in_scope(
    scope: DataScope, resolver: str, flag_id: str, request: FlagResolve
) -> ComplianceFlag:
    """Resolve ``flag_id`` in ``scope`` on behalf of ``resolver`` (a key id)."""
    flag = find_flag(scope, flag_id)
    status = next_flag_status(flag, FlagStatus.RESOLVED)
    now = providers.clock().now()
    resolved = flag.model_copy(
        update={
            "status": status,
            "resolution": request.resolution,
            "resolution_notes": request.notes,
            "resolved_at": now,
            "resolved_by": resolver,
            "updated_at": now,
        }
    )
    return providers.flags_repository().replace(scope, resolved, expected=flag.status)
