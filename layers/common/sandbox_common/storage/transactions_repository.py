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
from sandbox_common.pagination import RawPage
from sandbox_common.storage.dynamo import translated_errors
from sandbox_common.storage.flags_repository import flag_item
from sandbox_common.storage.ledger_items import (
    Kind,
    LedgerScope,
    from_item,
    time_ts,
    to_item,
)
from sandbox_common.storage.ledger_query import (
    created_between,
    query_all,
    query_page,
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

    def get(self, scope: LedgerScope, transaction_id: str) -> Transaction | None:
        """The transaction, or None."""
        with translated_errors():
            item = self._table.get_item(
                Key={"pk": scope.pk(Kind.TRANSACTION), "sk": transaction_id}, ConsistentRead=True
            ).get("Item")
        return from_item(Transaction, item) if item else None

    def page(
        self,
        scope: LedgerScope,
        where: TransactionFilter,
        *,
        limit: int,
        start: dict[str, str] | None,
    ) -> RawPage:
        """A page of matching transactions, newest first."""
        raw = query_page(
            self._table,
            scope.pk(Kind.TRANSACTION),
            limit=limit,
            start=start,
            keep=lambda item: where.matches(from_item(Transaction, item)),
            ts_range=created_between(where.since, where.until),
            newest_first=True,
        )
        return RawPage([from_item(Transaction, item) for item in raw.items], raw.last_key)

    def created_between(
        self, scope: LedgerScope, since: datetime, until: datetime
    ) -> list[Transaction]:
        """Every transaction created between ``since`` and ``until`` inclusive (analytics)."""
        items = query_all(
            self._table,
            scope.pk(Kind.TRANSACTION),
            ts_range=created_between(since, until),
        )
        return [from_item(Transaction, item) for item in items]

    def create_transfer(
        self,
        scope: LedgerScope,
        transfer: Transaction,
        flags: list[ComplianceFlag],
        *,
        expires_at: int,
        idempotency: IdempotencyClaim | None = None,
    ) -> None:
        """Store a new transfer, the flags its screening raised and its idempotency key.

        All or nothing, together with the sandbox's record counts and only while ``scope``
        is still the sandbox's data generation: a retry with the same key can never create
        a second transfer. Raises IdempotencyKeyUsed when the key is already taken.
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
                {"transactions_count": 1, "compliance_flags_count": len(flags)},
            ),
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

    def idempotency_record(self, scope: LedgerScope, key: str) -> IdempotencyRecord | None:
        """What an idempotency key was used for, or None."""
        with translated_errors():
            item = self._table.get_item(
                Key={"pk": scope.pk(Kind.IDEMPOTENCY), "sk": key}, ConsistentRead=True
            ).get("Item")
        if not item:
            return None
        return IdempotencyRecord(str(item["fingerprint"]), str(item["transaction_id"]))

    def settle(self, scope: LedgerScope, transfer: Transaction, at: datetime) -> Transaction:
        """Complete a pending transfer: debit, credit and status change in one transaction.

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
            ],
        )
        return completed

    def fail(
        self, scope: LedgerScope, transfer: Transaction, reason: str, at: datetime
    ) -> Transaction:
        """Fail a pending transfer with ``reason``; Conflict if it is no longer pending."""
        failed = transfer.model_copy(
            update={"status": TransactionStatus.FAILED, "failure_reason": reason, "updated_at": at}
        )
        _transact(self._table, [_status_update(scope, transfer, failed, self._table.name)])
        return failed

    def add_many(
        self, scope: LedgerScope, transactions: list[Transaction], expires_at: int
    ) -> None:
        """Store generated transactions in batches (the caller counts them on the sandbox)."""
        with translated_errors(), self._table.batch_writer() as batch:
            for transaction in transactions:
                batch.put_item(Item=transaction_item(scope, transaction, expires_at))


def transaction_item(
    scope: LedgerScope, transaction: Transaction, expires_at: int
) -> dict[str, Any]:
    """The stored item of ``transaction``."""
    return to_item(
        transaction,
        live=TRANSACTION_LIVE,
        pk=scope.pk(Kind.TRANSACTION),
        sk=transaction.id,
        ts=time_ts(transaction.created_at, transaction.id),
        expires_at=expires_at,
    )


def _status_update(
    scope: LedgerScope, before: Transaction, after: Transaction, table: str
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
            table.meta.client.transact_write_items(TransactItems=items)
    except Conflict as exc:
        cause = exc.__cause__
        if isinstance(cause, ClientError) and conflict_at:
            reasons = cause.response.get("CancellationReasons", [])
            for index in conflict_at:
                if index < len(reasons) and reasons[index].get("Code") == "ConditionalCheckFailed":
                    raise IdempotencyKeyUsed from exc
        raise
