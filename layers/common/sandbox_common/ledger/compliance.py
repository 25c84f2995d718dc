"""Compliance flag use cases: list, show, take into review, resolve."""

from __future__ import annotations

from sandbox_common import providers
from sandbox_common.auth import AuthContext, Permission
from sandbox_common.errors import NotFound
from sandbox_common.ledger.models import (
    ComplianceFlag,
    FlagResolve,
    FlagStatus,
    FlagType,
    Severity,
)
from sandbox_common.ledger.rules import next_flag_status
from sandbox_common.ledger.scope import ledger_scope, page_limit, page_start
from sandbox_common.pagination import Page, encode_cursor
from sandbox_common.storage.ledger_items import Kind, LedgerScope


def list_flags(
    caller: AuthContext,
    *,
    limit: int,
    cursor: str | None,
    status: FlagStatus | None = None,
    flag_type: FlagType | None = None,
    severity: Severity | None = None,
    account_id: str | None = None,
) -> Page[ComplianceFlag]:
    """A page of the sandbox's flags, newest first, optionally filtered."""
    from boto3.dynamodb.conditions import Attr

    caller.require(Permission.READ)
    _, scope = ledger_scope(caller)
    clauses = [
        Attr(name).eq(value)
        for name, value in (
            ("status", status.value if status else None),
            ("flag_type", flag_type.value if flag_type else None),
            ("severity", severity.value if severity else None),
            ("account_id", account_id),
        )
        if value is not None
    ]
    condition = None
    for clause in clauses:
        condition = clause if condition is None else condition & clause
    page = providers.flags_repository().page(
        scope,
        limit=page_limit(limit),
        start=page_start(scope, Kind.FLAG, cursor),
        condition=condition,
    )
    return Page(page.items, encode_cursor(page.last_key, scope.cursor_scope(Kind.FLAG)))


def get_flag(caller: AuthContext, flag_id: str) -> ComplianceFlag:
    """One flag of the sandbox; 404 otherwise."""
    caller.require(Permission.READ)
    _, scope = ledger_scope(caller)
    return find_flag(scope, flag_id)


def find_flag(scope: LedgerScope, flag_id: str) -> ComplianceFlag:
    """The scope's flag; NotFound otherwise."""
    flag = providers.flags_repository().get(scope, flag_id)
    if flag is None:
        raise NotFound(f"Compliance flag {flag_id} not found")
    return flag


def review_flag(caller: AuthContext, flag_id: str) -> ComplianceFlag:
    """Take an open flag into review (open -> in_review); 409 from any other status."""
    caller.require(Permission.WRITE)
    _, scope = ledger_scope(caller)
    flag = find_flag(scope, flag_id)
    status = next_flag_status(flag, FlagStatus.IN_REVIEW)
    now = providers.clock().now()
    reviewed = flag.model_copy(update={"status": status, "updated_at": now})
    return providers.flags_repository().replace(scope, reviewed, expected=flag.status)


def resolve_flag(caller: AuthContext, flag_id: str, request: FlagResolve) -> ComplianceFlag:
    """Resolve a flag (from open or in_review); resolving a resolved flag is 409."""
    caller.require(Permission.WRITE)
    _, scope = ledger_scope(caller)
    return resolve_in_scope(scope, caller.key_id, flag_id, request)


def resolve_in_scope(
    scope: LedgerScope, resolver: str, flag_id: str, request: FlagResolve
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
