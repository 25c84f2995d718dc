"""Ledger accounts of a sandbox, by id or by network address."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sandbox_common.errors import Conflict
from sandbox_common.ledger.models import Account, AccountFilter, VerificationStatus
from sandbox_common.storage.dynamo import transact_write, translated_errors
from sandbox_common.storage.ledger_aggregates import new_account_update, verification_update
from sandbox_common.storage.listing_plan import plan_listing
from sandbox_common.storage.listing_query import ListingPage, query_listing
from sandbox_common.storage.sandbox_items import (
    LISTINGS,
    DataScope,
    Kind,
    created_account_ts,
    from_item,
    to_item,
)
from sandbox_common.storage.sandboxes_repository import count_update

# Settling a transfer tests and changes these in place, verifying the status; the rest is
# one JSON document.
ACCOUNT_LIVE = frozenset({"balances", "is_active", "verification_status"})
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class AccountsRepository:
    """Accounts; each has an address alias item so it can be found by ``account_id`` too."""

    def __init__(self, table: Any, sandboxes_table: str) -> None:
        self._table = table
        self._sandboxes_table = sandboxes_table

    def add(self, scope: DataScope, account: Account, *, expires_at: int) -> None:
        """Store an account created through the API, its address alias, its count and its
        place in the dashboard's accounts summary.

        All at once, and only while ``scope`` is still the sandbox's data generation.
        """
        client = self._table.meta.client
        ts = created_account_ts(account.created_at, account.id)
        with translated_errors("This account already exists"):
            transact_write(
                client,
                [
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
                        {Kind.ACCOUNT: 1},
                    ),
                    new_account_update(self._table.name, scope, account, expires_at=expires_at),
                ],
            )

    def get(self, scope: DataScope, ref: str) -> Account | None:
        """The account whose id or network address is ``ref``, or None."""
        account_id = ref if _UUID.match(ref) else self._id_of_address(scope, ref)
        if account_id is None:
            return None
        with translated_errors():
            item = self._table.get_item(
                Key={"pk": scope.pk(Kind.ACCOUNT), "sk": account_id}, ConsistentRead=True
            ).get("Item")
        return from_item(Account, item) if item else None

    def nth(self, scope: DataScope, n: int) -> Account | None:
        """The sandbox's ``n``-th account in listing order (1-based), or None."""
        first = self.first(scope, n)
        return first[n - 1] if len(first) >= n else None

    def first(self, scope: DataScope, count: int) -> list[Account]:
        """The sandbox's first ``count`` accounts in listing order (one bounded read)."""
        page = query_listing(
            self._table,
            scope.pk(Kind.ACCOUNT),
            plan_listing(LISTINGS[Kind.ACCOUNT], {}),
            limit=count,
            decode=_account,
            keep=lambda _: True,
        )
        return page.items

    def page(
        self,
        scope: DataScope,
        where: AccountFilter,
        *,
        limit: int,
        after: str | None,
    ) -> ListingPage[Account]:
        """A page of matching accounts in listing order (generated first, then created),
        continuing after position ``after``; a bounded read (see ``listing_plan``)."""
        plan = plan_listing(LISTINGS[Kind.ACCOUNT], where.conditions(), after=after)
        return query_listing(
            self._table,
            scope.pk(Kind.ACCOUNT),
            plan,
            limit=limit,
            decode=_account,
            keep=where.matches,
        )

    def verify(self, scope: DataScope, account_id: str, at: datetime) -> Account:
        """Mark an account verified and count it in the dashboard's accounts summary.

        Idempotent, races included: only the write that changes the status counts, and a
        verified account keeps its first verification time. Conflict if there is no such
        account.
        """
        key = {"pk": scope.pk(Kind.ACCOUNT), "sk": account_id}
        try:
            with translated_errors("The account does not exist"):
                transact_write(
                    self._table.meta.client,
                    [
                        {
                            "Update": {
                                "TableName": self._table.name,
                                "Key": key,
                                "UpdateExpression": (
                                    "SET verification_status = :verified, "
                                    "verified_at = :at, updated_at = :at"
                                ),
                                # Items stored before the status was an attribute lack it.
                                "ConditionExpression": (
                                    "attribute_exists(sk) AND (attribute_not_exists("
                                    "verification_status) OR verification_status <> :verified)"
                                ),
                                "ExpressionAttributeValues": {
                                    ":verified": VerificationStatus.VERIFIED.value,
                                    ":at": at.isoformat(),
                                },
                            }
                        },
                        verification_update(self._table.name, scope),
                    ],
                )
        except Conflict:
            verified = self._by_id(key)
            if verified is None or verified.verification_status is not VerificationStatus.VERIFIED:
                raise
            return verified  # verified already, maybe by a concurrent request
        account = self._by_id(key)
        if account is None:  # pragma: no cover - written just above; TTL cannot be this quick
            raise Conflict("The account does not exist")
        return account

    def _by_id(self, key: dict[str, str]) -> Account | None:
        with translated_errors():
            item = self._table.get_item(Key=key, ConsistentRead=True).get("Item")
        return from_item(Account, item) if item else None

    def _id_of_address(self, scope: DataScope, address: str) -> str | None:
        with translated_errors():
            item = self._table.get_item(
                Key={"pk": scope.pk(Kind.ACCOUNT_ADDRESS), "sk": address}, ConsistentRead=True
            ).get("Item")
        return str(item["account"]) if item else None


def account_item(scope: DataScope, account: Account, ts: str, expires_at: int) -> dict[str, Any]:
    """The stored item of ``account``."""
    return to_item(
        account,
        live=ACCOUNT_LIVE,
        pk=scope.pk(Kind.ACCOUNT),
        sk=account.id,
        ts=ts,
        expires_at=expires_at,
        **LISTINGS[Kind.ACCOUNT].index_attributes(account, ts),
    )


def _account(item: dict[str, Any]) -> Account:
    return from_item(Account, item)


def address_item(scope: DataScope, account: Account, ts: str, expires_at: int) -> dict[str, Any]:
    """The alias item that finds ``account`` by its network address."""
    return {
        "pk": scope.pk(Kind.ACCOUNT_ADDRESS),
        "sk": account.account_id,
        "ts": ts,
        "account": account.id,
        "expires_at": expires_at,
    }
