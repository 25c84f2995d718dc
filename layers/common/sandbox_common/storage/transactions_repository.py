"""Transactions of a sandbox, and the writes that create and settle transfers atomically."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox_common.errors import Conflict
from sandbox_common.ledger.models import (
    ComplianceFlag,
    Transaction,
    TransactionFilter,
    TransactionStatus,
)
from sandbox_common.storage.dynamo import transact_write, translated_errors
from sandbox_common.storage.flags_repository import flag_item
from sandbox_common.storage.ledger_aggregates import (
    new_records_updates,
    status_change_updates,
    transaction_batches,
)
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
from sandbox_common.storage.sandboxes_repository import count_update


@dataclass(frozen=True)
class IdempotencyClaim:
    """An ``Idempotency-Key`` and the request it was first used for."""

    key: str
    fingerprint: str
    expires_at: int


@dataclass(frozen=True)
class IdempotencyRecord:
    """What a stored ``Idempotency-Key`` points at."""

    fingerprint: str
    transaction_id: str


class IdempotencyKeyUsed(Exception):
    """The transfer was not created: its idempotency key is already stored."""


# Settling tests and changes the status in place; settle and fail add their fields as
# attributes, which win over the document's copy. The rest is one JSON document.
TRANSACTION_LIVE = frozenset({"status"})


class TransactionsRepository:
    """Transactions (generated, and transfers made through the API)."""

    def __init__(self, table: Any, sandboxes_table: str) -> None:
        self._table = table
        self._sandboxes_table = sandboxes_table

    def get(self, scope: DataScope, transaction_id: str) -> Transaction | None:
        """The transaction, or None."""
        with translated_errors():
            item = self._table.get_item(
                Key={"pk": scope.pk(Kind.TRANSACTION), "sk": transaction_id}, ConsistentRead=True
            ).get("Item")
        return from_item(Transaction, item) if item else None

    def page(
        self,
        scope: DataScope,
        where: TransactionFilter,
        *,
        limit: int,
        after: str | None,
    ) -> ListingPage[Transaction]:
        """A page of matching transactions, newest first, continuing after position
        ``after``; a bounded read (see ``listing_plan``). ``account_id`` reads the sending
        and the receiving side's index and merges them."""
        plan = plan_listing(LISTINGS[Kind.TRANSACTION], where.conditions(), after=after)
        return query_listing(
            self._table,
            scope.pk(Kind.TRANSACTION),
            plan,
            limit=limit,
            decode=_transaction,
            keep=where.matches,
        )

    def create_transfer(
        self,
        scope: DataScope,
        transfer: Transaction,
        flags: list[ComplianceFlag],
        *,
        expires_at: int,
        idempotency: IdempotencyClaim | None = None,
    ) -> None:
        """Store a new transfer, the flags its screening raised and its idempotency key.

        All or nothing, together with the sandbox's record counts and the dashboard's
        figures, and only while ``scope`` is still the sandbox's data generation: a retry
        with the same key can never create a second transfer. Raises IdempotencyKeyUsed
        when the key is already taken.
        """
        table = self._table.name
        puts: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": table,
                    "Item": transaction_item(scope, transfer, expires_at),
                    "ConditionExpression": "attribute_not_exists(sk)",
                }
            },
            *(
                {"Put": {"TableName": table, "Item": flag_item(scope, flag, expires_at)}}
                for flag in flags
            ),
            count_update(
                self._sandboxes_table,
                scope.sandbox_id,
                scope.generation,
                {Kind.TRANSACTION: 1, Kind.FLAG: len(flags)},
            ),
            *new_records_updates(table, scope, [transfer], flags, expires_at=expires_at),
        ]
        if idempotency:
            puts.append(
                {
                    "Put": {
                        "TableName": table,
                        "Item": {
                            "pk": scope.pk(Kind.IDEMPOTENCY),
                            "sk": idempotency.key,
                            "ts": time_ts(transfer.created_at, transfer.id),
                            "fingerprint": idempotency.fingerprint,
                            "transaction_id": transfer.id,
                            "expires_at": idempotency.expires_at,
                        },
                        "ConditionExpression": "attribute_not_exists(sk)",
                    }
                }
            )
        _transact(self._table, puts, conflict_at={len(puts) - 1} if idempotency else set())

    def idempotency_record(self, scope: DataScope, key: str) -> IdempotencyRecord | None:
        """What an idempotency key was used for, or None."""
        with translated_errors():
            item = self._table.get_item(
                Key={"pk": scope.pk(Kind.IDEMPOTENCY), "sk": key}, ConsistentRead=True
            ).get("Item")
        if not item:
            return None
        return IdempotencyRecord(str(item["fingerprint"]), str(item["transaction_id"]))

    def settle(self, scope: DataScope, transfer: Transaction, at: datetime) -> Transaction:
        """Complete a pending transfer: debit, credit, status change and the dashboard's
        figures in one transaction.

        Conflict when the transfer is no longer pending, an account became inactive or the
        balance no longer covers the amount; the caller re-reads and decides again.
        """
        table = self._table.name
        accounts = scope.pk(Kind.ACCOUNT)
        amount = transfer.amount
        names = {"#c": transfer.currency}
        active = {":active": True}
        completed = transfer.model_copy(
            update={"status": TransactionStatus.COMPLETED, "completed_at": at, "updated_at": at}
        )
        _transact(
            self._table,
            [
                _status_update(scope, transfer, completed, table),
                {
                    "Update": {
                        "TableName": table,
                        "Key": {"pk": accounts, "sk": transfer.from_account_id},
                        "UpdateExpression": "SET balances.#c = balances.#c - :amount",
                        "ConditionExpression": "is_active = :active AND balances.#c >= :amount",
                        "ExpressionAttributeNames": names,
                        "ExpressionAttributeValues": {":amount": amount, **active},
                    }
                },
                {
                    "Update": {
                        "TableName": table,
                        "Key": {"pk": accounts, "sk": transfer.to_account_id},
                        "UpdateExpression": (
                            "SET balances.#c = if_not_exists(balances.#c, :zero) + :amount"
                        ),
                        "ConditionExpression": "is_active = :active",
                        "ExpressionAttributeNames": names,
                        "ExpressionAttributeValues": {":amount": amount, ":zero": 0, **active},
                    }
                },
                *_settlement_figures(table, scope, transfer, TransactionStatus.COMPLETED),
            ],
        )
        return completed

    def fail(
        self, scope: DataScope, transfer: Transaction, reason: str, at: datetime
    ) -> Transaction:
        """Fail a pending transfer with ``reason``; Conflict if it is no longer pending."""
        failed = transfer.model_copy(
            update={"status": TransactionStatus.FAILED, "failure_reason": reason, "updated_at": at}
        )
        table = self._table.name
        _transact(
            self._table,
            [
                _status_update(scope, transfer, failed, table),
                *_settlement_figures(table, scope, transfer, TransactionStatus.FAILED),
            ],
        )
        return failed

    def add_many(self, scope: DataScope, transactions: list[Transaction], expires_at: int) -> None:
        """Store generated transactions, counted on the sandbox and in the dashboard's figures.

        In write transactions of up to 100 writes, each all or nothing and only while
        ``scope`` is still the sandbox's data generation (Conflict otherwise): whatever got
        stored before a failure is counted and in the figures, so the ledger stays whole.
        """
        table = self._table.name
        for batch in transaction_batches(transactions, other_writes=1):
            _transact(
                self._table,
                [
                    *(
                        {
                            "Put": {
                                "TableName": table,
                                "Item": transaction_item(scope, transaction, expires_at),
                                "ConditionExpression": "attribute_not_exists(sk)",
                            }
                        }
                        for transaction in batch
                    ),
                    count_update(
                        self._sandboxes_table,
                        scope.sandbox_id,
                        scope.generation,
                        {Kind.TRANSACTION: len(batch)},
                    ),
                    *new_records_updates(table, scope, batch, [], expires_at=expires_at),
                ],
            )


def transaction_item(scope: DataScope, transaction: Transaction, expires_at: int) -> dict[str, Any]:
    """The stored item of ``transaction``."""
    return to_item(
        transaction,
        live=TRANSACTION_LIVE,
        pk=scope.pk(Kind.TRANSACTION),
        sk=transaction.id,
        ts=time_ts(transaction.created_at, transaction.id),
        expires_at=expires_at,
        **_index_keys(transaction),
    )


def _index_keys(transaction: Transaction) -> dict[str, str]:
    """The filter keys (``ix1``..) of ``transaction`` as stored (its status among them)."""
    ts = time_ts(transaction.created_at, transaction.id)
    return LISTINGS[Kind.TRANSACTION].index_attributes(transaction, ts)


def _transaction(item: dict[str, Any]) -> Transaction:
    return from_item(Transaction, item)


def _settlement_figures(
    table: str, scope: DataScope, transfer: Transaction, status: TransactionStatus
) -> list[dict[str, Any]]:
    # A settlement starts from pending (``_status_update`` makes it a condition), so the
    # figures move from pending whatever status the caller's copy shows.
    pending = transfer.model_copy(update={"status": TransactionStatus.PENDING})
    return status_change_updates(table, scope, pending, status)


def _status_update(
    scope: DataScope, before: Transaction, after: Transaction, table: str
) -> dict[str, Any]:
    values: dict[str, Any] = {
        ":pending": TransactionStatus.PENDING.value,
        ":status": after.status.value,
        ":updated": (after.updated_at or after.created_at).isoformat(),
    }
    expression = "SET #status = :status, updated_at = :updated"
    if after.completed_at:
        expression += ", completed_at = :completed"
        values[":completed"] = after.completed_at.isoformat()
    if after.failure_reason:
        expression += ", failure_reason = :reason"
        values[":reason"] = after.failure_reason
    # The filter keys move with the status in the same write (listings by status follow).
    for slot, key in _index_keys(after).items():
        expression += f", {slot} = :{slot}"
        values[f":{slot}"] = key
    return {
        "Update": {
            "TableName": table,
            "Key": {"pk": scope.pk(Kind.TRANSACTION), "sk": before.id},
            "UpdateExpression": expression,
            "ConditionExpression": "#status = :pending",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": values,
        }
    }


def _transact(table: Any, items: list[dict[str, Any]], conflict_at: set[int] | None = None) -> None:
    """Run a write transaction; a failed condition at an index in ``conflict_at`` means the
    idempotency key is taken, any other failed condition is a Conflict."""
    from botocore.exceptions import ClientError

    try:
        with translated_errors():
            transact_write(table.meta.client, items)
    except Conflict as exc:
        cause = exc.__cause__
        if isinstance(cause, ClientError) and conflict_at:
            reasons = cause.response.get("CancellationReasons", [])
            for index in conflict_at:
                if index < len(reasons) and reasons[index].get("Code") == "ConditionalCheckFailed":
                    raise IdempotencyKeyUsed from exc
        raise
