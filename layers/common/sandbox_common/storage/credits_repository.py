"""Customers' credits: balances, the credit ledger and consume idempotency keys.

One table, three kinds of item:

- ``pk = customer#<id>, sk = balance``: the balance (``credits``), changed only in place by
  conditional updates, so concurrent charges can never overdraw it;
- ``pk = customer#<id>, sk = entry#<at>#<entry id>``: one ledger entry per grant or consume,
  written in the same transaction as the change it records (newest first by ``sk``);
- ``pk = idempotency#<key>, sk = consume``: what a consume's Idempotency-Key was first used
  for, written in the same transaction as the charge, with a TTL (``expires_at``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sandbox_common.errors import Conflict, InsufficientCredits
from sandbox_common.payments.models import CreditEntry, EntryKind
from sandbox_common.storage.dynamo import transact_write, translated_errors

_BALANCE = "balance"
_ENTRY = "entry#"
_CONSUME = "consume"


@dataclass(frozen=True)
class ConsumeRecord:
    """What a consume did, as its Idempotency-Key remembers it."""

    fingerprint: str
    customer_id: str
    amount: Decimal
    entry_id: str | None
    consumed_at: str


@dataclass(frozen=True)
class ConsumeClaim:
    """An Idempotency-Key, the consume it is used for now, and when it is forgotten."""

    key: str
    record: ConsumeRecord
    expires_at: int


class IdempotencyKeyUsed(Exception):
    """Nothing was charged: the consume's Idempotency-Key is already stored."""


def _customer_pk(customer_id: str) -> str:
    return f"customer#{customer_id}"


def _idempotency_pk(key: str) -> str:
    return f"idempotency#{key}"


class CreditsRepository:
    """Balances, ledger entries and idempotency records of the credits table."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def balance(self, customer_id: str) -> Decimal:
        """The customer's credits (strongly consistent); 0 for a customer never seen."""
        with translated_errors():
            item = self._table.get_item(
                Key={"pk": _customer_pk(customer_id), "sk": _BALANCE},
                ConsistentRead=True,
                ProjectionExpression="credits",
            ).get("Item")
        return Decimal(item["credits"]) if item and "credits" in item else Decimal(0)

    def grant(self, entry: CreditEntry, *, max_balance: Decimal) -> None:
        """Add the entry's amount to the balance and store the entry, all or nothing.

        Conflict (nothing written) when the balance would pass ``max_balance``.
        """
        update = {
            "Update": {
                "TableName": self._table.name,
                "Key": {"pk": _customer_pk(entry.customer_id), "sk": _BALANCE},
                "UpdateExpression": "SET updated_at = :at, customer_id = :customer "
                "ADD credits :amount",
                "ConditionExpression": "attribute_not_exists(credits) OR credits <= :room",
                "ExpressionAttributeValues": {
                    ":at": entry.at,
                    ":customer": entry.customer_id,
                    ":amount": entry.amount,
                    ":room": max_balance - entry.amount,
                },
            }
        }
        with translated_errors(f"The balance would exceed {max_balance} credits"):
            transact_write(self._table.meta.client, [update, self._entry_put(entry)])

    def consume(self, entry: CreditEntry, claim: ConsumeClaim | None) -> None:
        """Take the entry's amount off the balance only while the balance covers it, store
        the entry and the claim's idempotency record: all or nothing.

        Raises IdempotencyKeyUsed when the claim's key is taken, InsufficientCredits when
        the balance does not cover the amount.
        """
        items: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self._table.name,
                    "Key": {"pk": _customer_pk(entry.customer_id), "sk": _BALANCE},
                    "UpdateExpression": "SET credits = credits - :amount, updated_at = :at",
                    # A customer never seen has no credits attribute: the condition fails.
                    "ConditionExpression": "credits >= :amount",
                    "ExpressionAttributeValues": {":amount": entry.amount, ":at": entry.at},
                }
            },
            self._entry_put(entry),
        ]
        if claim is not None:
            items.append(self._claim_put(claim))
        self._transact_consume(items, claim_at=len(items) - 1 if claim else None)

    def consume_record(self, key: str) -> ConsumeRecord | None:
        """What an Idempotency-Key's consume did, or None (strongly consistent)."""
        with translated_errors():
            item = self._table.get_item(
                Key={"pk": _idempotency_pk(key), "sk": _CONSUME}, ConsistentRead=True
            ).get("Item")
        if not item:
            return None
        return ConsumeRecord(
            fingerprint=str(item["fingerprint"]),
            customer_id=str(item["customer_id"]),
            amount=Decimal(item["amount"]),
            entry_id=str(item["entry_id"]) if item.get("entry_id") else None,
            consumed_at=str(item["consumed_at"]),
        )

    def entries(
        self, customer_id: str, *, limit: int, start_key: dict[str, Any] | None
    ) -> tuple[list[CreditEntry], dict[str, Any] | None]:
        """One page of the customer's ledger, newest first, and where the next page starts."""
        request: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :entry)",
            "ExpressionAttributeValues": {":pk": _customer_pk(customer_id), ":entry": _ENTRY},
            "ScanIndexForward": False,
            "Limit": limit,
            "ConsistentRead": True,
        }
        if start_key:
            request["ExclusiveStartKey"] = start_key
        with translated_errors():
            answer = self._table.query(**request)
        entries = [_entry_of(item) for item in answer.get("Items", [])]
        return entries, answer.get("LastEvaluatedKey")

    def _entry_put(self, entry: CreditEntry) -> dict[str, Any]:
        item: dict[str, Any] = {
            "pk": _customer_pk(entry.customer_id),
            # Ordered by time; the entry id keeps two entries of one millisecond apart.
            "sk": f"{_ENTRY}{entry.at}#{entry.entry_id}",
            "entry_id": entry.entry_id,
            "customer_id": entry.customer_id,
            "kind": entry.kind.value,
            "amount": entry.amount,
            "at": entry.at,
        }
        if entry.idempotency_key:
            item["idempotency_key"] = entry.idempotency_key
        return {
            "Put": {
                "TableName": self._table.name,
                "Item": item,
                "ConditionExpression": "attribute_not_exists(sk)",
            }
        }

    def _claim_put(self, claim: ConsumeClaim) -> dict[str, Any]:
        record = claim.record
        item: dict[str, Any] = {
            "pk": _idempotency_pk(claim.key),
            "sk": _CONSUME,
            "fingerprint": record.fingerprint,
            "customer_id": record.customer_id,
            "amount": record.amount,
            "consumed_at": record.consumed_at,
            "expires_at": claim.expires_at,
        }
        if record.entry_id:
            item["entry_id"] = record.entry_id
        return {
            "Put": {
                "TableName": self._table.name,
                "Item": item,
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _transact_consume(self, items: list[dict[str, Any]], *, claim_at: int | None) -> None:
        from botocore.exceptions import ClientError

        try:
            with translated_errors():
                transact_write(self._table.meta.client, items)
        except Conflict as exc:
            cause = exc.__cause__
            if not isinstance(cause, ClientError):
                raise
            failed = [
                reason.get("Code") == "ConditionalCheckFailed"
                for reason in cause.response.get("CancellationReasons", [])
            ]
            # The key first: a repeat of a charge that emptied the balance is a replay.
            if claim_at is not None and claim_at < len(failed) and failed[claim_at]:
                raise IdempotencyKeyUsed from exc
            if failed and failed[0]:
                message = "The customer's credits do not cover this amount"
                raise InsufficientCredits(message) from exc
            raise


def _entry_of(item: dict[str, Any]) -> CreditEntry:
    return CreditEntry(
        entry_id=str(item["entry_id"]),
        customer_id=str(item["customer_id"]),
        kind=EntryKind(str(item["kind"])),
        amount=Decimal(item["amount"]),
        at=str(item["at"]),
        idempotency_key=str(item["idempotency_key"]) if item.get("idempotency_key") else None,
    )
