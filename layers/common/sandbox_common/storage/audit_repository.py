"""The messaging audit trail: entries written inside other writes' transactions, and listed."""

from __future__ import annotations

from typing import Any

from sandbox_common.messaging.audit import AuditEntry, AuditFilter
from sandbox_common.storage.listing_plan import plan_listing
from sandbox_common.storage.listing_query import ListingPage, query_listing
from sandbox_common.storage.sandbox_items import (
    LISTINGS,
    DataScope,
    Kind,
    from_item,
    time_ts,
    to_item,
)


def audit_item(scope: DataScope, entry: AuditEntry, expires_at: int) -> dict[str, Any]:
    """The stored item of ``entry`` (positioned by its time, then its id)."""
    ts = time_ts(entry.timestampUtc, entry.id)
    return to_item(
        entry,
        live=frozenset(),
        pk=scope.pk(Kind.AUDIT),
        sk=entry.id,
        ts=ts,
        expires_at=expires_at,
        **LISTINGS[Kind.AUDIT].index_attributes(entry, ts),
    )


def audit_put(
    table_name: str, scope: DataScope, entry: AuditEntry, expires_at: int
) -> dict[str, Any]:
    """A TransactWriteItems ``Put`` of ``entry``, refused if an entry with its id exists
    (so a deterministic id, such as a delivery's, can never be written twice)."""
    return {
        "Put": {
            "TableName": table_name,
            "Item": audit_item(scope, entry, expires_at),
            "ConditionExpression": "attribute_not_exists(sk)",
        }
    }


class AuditRepository:
    """Reads of the audit trail (writes ride in other aggregates' transactions)."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def page(
        self, scope: DataScope, where: AuditFilter, *, limit: int, after: str | None
    ) -> ListingPage[AuditEntry]:
        """A page of matching entries, oldest first, after position ``after``; a bounded read."""
        plan = plan_listing(LISTINGS[Kind.AUDIT], where.conditions(), after=after)
        return query_listing(
            self._table,
            scope.pk(Kind.AUDIT),
            plan,
            limit=limit,
            decode=_entry,
            keep=where.matches,
        )


def _entry(item: dict[str, Any]) -> AuditEntry:
    return from_item(AuditEntry, item)
