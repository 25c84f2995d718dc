"""Compliance flags of a sandbox."""

from __future__ import annotations

from typing import Any

from sandbox_common.ledger.models import ComplianceFlag, FlagFilter, FlagStatus
from sandbox_common.storage.dynamo import transact_write, translated_errors
from sandbox_common.storage.ledger_aggregates import flag_change_updates
from sandbox_common.storage.listing_plan import plan_listing
from sandbox_common.storage.listing_query import ListingPage, query_listing
from sandbox_common.storage.sandbox_items import (
    DOCUMENT,
    LISTINGS,
    DataScope,
    Kind,
    document,
    from_item,
    time_ts,
    to_item,
)

# Status changes are conditional on the stored status; the rest is one JSON document.
FLAG_LIVE = frozenset({"status"})


class FlagsRepository:
    """Flags by id, newest first in listings; status changes are conditional writes."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def get(self, scope: DataScope, flag_id: str) -> ComplianceFlag | None:
        """The flag, or None."""
        with translated_errors():
            item = self._table.get_item(
                Key={"pk": scope.pk(Kind.FLAG), "sk": flag_id}, ConsistentRead=True
            ).get("Item")
        return from_item(ComplianceFlag, item) if item else None

    def page(
        self,
        scope: DataScope,
        where: FlagFilter,
        *,
        limit: int,
        after: str | None,
    ) -> ListingPage[ComplianceFlag]:
        """A page of matching flags, newest first, continuing after position ``after``; a
        bounded read (see ``listing_plan``)."""
        plan = plan_listing(LISTINGS[Kind.FLAG], where.conditions(), after=after)
        return query_listing(
            self._table, scope.pk(Kind.FLAG), plan, limit=limit, decode=_flag, keep=where.matches
        )

    def replace(
        self, scope: DataScope, flag: ComplianceFlag, *, expected: FlagStatus
    ) -> ComplianceFlag:
        """Store ``flag``'s new state if the stored flag still has status ``expected``.

        Conflict otherwise: of two concurrent resolutions exactly one succeeds. The filter
        keys are set in the same write, so listings by status follow at once, and the
        dashboard's flag summary moves in the same transaction.
        """
        keys = index_keys(flag)
        update = {
            "TableName": self._table.name,
            "Key": {"pk": scope.pk(Kind.FLAG), "sk": flag.id},
            "UpdateExpression": "SET #doc = :doc, #status = :status, "
            + ", ".join(f"{slot} = :{slot}" for slot in keys),
            "ConditionExpression": "#status = :expected",
            "ExpressionAttributeNames": {"#doc": DOCUMENT, "#status": "status"},
            "ExpressionAttributeValues": {
                ":doc": document(flag, live=FLAG_LIVE),
                ":status": flag.status.value,
                ":expected": expected.value,
                **{f":{slot}": value for slot, value in keys.items()},
            },
        }
        figures = flag_change_updates(self._table.name, scope, expected, flag.status)
        with translated_errors(f"Flag {flag.id} is no longer {expected.value}"):
            transact_write(self._table.meta.client, [{"Update": update}, *figures])
        return flag


def flag_item(scope: DataScope, flag: ComplianceFlag, expires_at: int) -> dict[str, Any]:
    """The stored item of a compliance flag."""
    return to_item(
        flag,
        live=FLAG_LIVE,
        pk=scope.pk(Kind.FLAG),
        sk=flag.id,
        ts=time_ts(flag.created_at, flag.id),
        expires_at=expires_at,
        **index_keys(flag),
    )


def index_keys(flag: ComplianceFlag) -> dict[str, str]:
    """The filter keys (``ix1``..) of ``flag`` as stored (its status among them)."""
    return LISTINGS[Kind.FLAG].index_attributes(flag, time_ts(flag.created_at, flag.id))


def _flag(item: dict[str, Any]) -> ComplianceFlag:
    return from_item(ComplianceFlag, item)
