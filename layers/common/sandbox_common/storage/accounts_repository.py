"""Ledger accounts of a sandbox, by id or by network address."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sandbox_common.ledger.models import Account, AccountFilter
from sandbox_common.pagination import RawPage
from sandbox_common.storage.dynamo import translated_errors
from sandbox_common.storage.ledger_items import (
    Kind,
    LedgerScope,
    created_account_ts,
    from_item,
    to_item,
)
from sandbox_common.storage.ledger_query import query_all, query_page
from sandbox_common.storage.sandboxes_repository import count_update

# Settling a transfer tests and changes these in place; the rest is one JSON document.
ACCOUNT_LIVE = frozenset({"balances", "is_active"})
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class AccountsRepository:
    """Accounts; each has an address alias item so it can be found by ``account_id`` too."""

    def __init__(self, table: Any, sandboxes_table: str) -> None:
        self._table = table
        self._sandboxes_table = sandboxes_table

    def add(self, scope: LedgerScope, account: Account, *, expires_at: int) -> None:
        """Store an account created through the API, its address alias and its count.

        All at once, and only while ``scope`` is still the sandbox's data generation.
        """
        client = self._table.meta.client
        ts = created_account_ts(account.created_at, account.id)
        with translated_errors("This account already exists"):
            client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table.name,
                            "Item": account_item(scope, account, ts, expires_at),
                            "ConditionExpression": "attribute_not_exists(sk)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table.name,
                            "Item": address_item(scope, account, ts, expires_at),
                            "ConditionExpression": "attribute_not_exists(sk)",
                        }
                    },
                    count_update(
                        self._sandboxes_table,
                        scope.sandbox_id,
                        scope.generation,
                        {"accounts_count": 1},
                    ),
                ]
            )

    def get(self, scope: LedgerScope, ref: str) -> Account | None:
        """The account whose id or network address is ``ref``, or None."""
        account_id = ref if _UUID.match(ref) else self._id_of_address(scope, ref)
        if account_id is None:
            return None
        with translated_errors():
            item = self._table.get_item(
                Key={"pk": scope.pk(Kind.ACCOUNT), "sk": account_id}, ConsistentRead=True
            ).get("Item")
        return from_item(Account, item) if item else None

    def nth(self, scope: LedgerScope, n: int) -> Account | None:
        """The sandbox's ``n``-th account in listing order (1-based), or None."""
        page = query_page(self._table, scope.pk(Kind.ACCOUNT), limit=n)
        return from_item(Account, page.items[n - 1]) if len(page.items) >= n else None

    def page(
        self,
        scope: LedgerScope,
        where: AccountFilter,
        *,
        limit: int,
        start: dict[str, str] | None,
    ) -> RawPage:
        """A page of matching accounts in listing order (generated first, then created)."""
        raw = query_page(
            self._table,
            scope.pk(Kind.ACCOUNT),
            limit=limit,
            start=start,
            keep=lambda item: where.matches(from_item(Account, item)),
        )
        return RawPage([from_item(Account, item) for item in raw.items], raw.last_key)

    def all(self, scope: LedgerScope) -> list[Account]:
        """Every account of the scope (analytics; bounded by initialize's limits)."""
        return [from_item(Account, item) for item in query_all(self._table, scope.pk(Kind.ACCOUNT))]

    def verify(self, scope: LedgerScope, account_id: str, at: datetime) -> Account:
        """Mark an account verified (idempotent: the first verification time is kept)."""
        with translated_errors("The account does not exist"):
            item = self._table.update_item(
                Key={"pk": scope.pk(Kind.ACCOUNT), "sk": account_id},
                UpdateExpression=(
                    "SET verification_status = :verified, "
                    "verified_at = if_not_exists(verified_at, :at), updated_at = :at"
                ),
                ConditionExpression="attribute_exists(sk)",
                ExpressionAttributeValues={":verified": "verified", ":at": at.isoformat()},
                ReturnValues="ALL_NEW",
            )["Attributes"]
        return from_item(Account, item)

    def _id_of_address(self, scope: LedgerScope, address: str) -> str | None:
        with translated_errors():
            item = self._table.get_item(
                Key={"pk": scope.pk(Kind.ACCOUNT_ADDRESS), "sk": address}, ConsistentRead=True
            ).get("Item")
        return str(item["account"]) if item else None


def account_item(scope: LedgerScope, account: Account, ts: str, expires_at: int) -> dict[str, Any]:
    """The stored item of ``account``."""
    return to_item(
        account,
        live=ACCOUNT_LIVE,
        pk=scope.pk(Kind.ACCOUNT),
        sk=account.id,
        ts=ts,
        expires_at=expires_at,
    )


def address_item(scope: LedgerScope, account: Account, ts: str, expires_at: int) -> dict[str, Any]:
    """The alias item that finds ``account`` by its network address."""
    return {
        "pk": scope.pk(Kind.ACCOUNT_ADDRESS),
        "sk": account.account_id,
        "ts": ts,
        "account": account.id,
        "expires_at": expires_at,
    }
