"""Compliance flags of a sandbox."""

from __future__ import annotations

from typing import Any

from sandbox_common.ledger.models import ComplianceFlag, FlagFilter, FlagStatus
from sandbox_common.pagination import RawPage
from sandbox_common.storage.dynamo import translated_errors
from sandbox_common.storage.ledger_items import (
    DOCUMENT,
    Kind,
    LedgerScope,
    document,
    from_item,
    time_ts,
    to_item,
)
from sandbox_common.storage.ledger_query import query_all, query_page

# Status changes are conditional on the stored status; the rest is one JSON document.
FLAG_LIVE = frozenset({"status"})


class FlagsRepository:
    """Flags by id, newest first in listings; status changes are conditional writes."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def get(self, scope: LedgerScope, flag_id: str) -> ComplianceFlag | None:
        """The flag, or None."""
        with translated_errors():
            item = self._table.get_item(
                Key={"pk": scope.pk(Kind.FLAG), "sk": flag_id}, ConsistentRead=True
            ).get("Item")
        return from_item(ComplianceFlag, item) if item else None

    def page(
        self,
        scope: LedgerScope,
        where: FlagFilter,
        *,
        limit: int,
        start: dict[str, str] | None,
    ) -> RawPage:
        """A page of matching flags, newest first."""
        raw = query_page(
            self._table,
            scope.pk(Kind.FLAG),
            limit=limit,
            start=start,
            keep=lambda item: where.matches(from_item(ComplianceFlag, item)),
            newest_first=True,
        )
        return RawPage([from_item(ComplianceFlag, item) for item in raw.items], raw.last_key)

    def all(self, scope: LedgerScope) -> list[ComplianceFlag]:
        """Every flag of the scope (analytics)."""
        return [
            from_item(ComplianceFlag, item) for item in query_all(self._table, scope.pk(Kind.FLAG))
        ]

    def replace(
        self, scope: LedgerScope, flag: ComplianceFlag, *, expected: FlagStatus
    ) -> ComplianceFlag:
        """Store ``flag``'s new state if the stored flag still has status ``expected``.

        Conflict otherwise: of two concurrent resolutions exactly one succeeds.
        """
        with translated_errors(f"Flag {flag.id} is no longer {expected.value}"):
            self._table.update_item(
                Key={"pk": scope.pk(Kind.FLAG), "sk": flag.id},
                UpdateExpression="SET #doc = :doc, #status = :status",
                ConditionExpression="#status = :expected",
                ExpressionAttributeNames={"#doc": DOCUMENT, "#status": "status"},
                ExpressionAttributeValues={
                    ":doc": document(flag, live=FLAG_LIVE),
                    ":status": flag.status.value,
                    ":expected": expected.value,
                },
            )
        return flag


def flag_item(scope: LedgerScope, flag: ComplianceFlag, expires_at: int) -> dict[str, Any]:
    """The stored item of a compliance flag."""
    return to_item(
        flag,
        live=FLAG_LIVE,
        pk=scope.pk(Kind.FLAG),
        sk=flag.id,
        ts=time_ts(flag.created_at, flag.id),
        expires_at=expires_at,
    )
