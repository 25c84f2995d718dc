"""Messaging users a sandbox changed or added (the default users live in code until then)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox_common.storage.dynamo import transact_write, translated_errors
from sandbox_common.storage.listing_plan import plan_listing
from sandbox_common.storage.listing_query import ListingPage, query_listing
from sandbox_common.storage.sandbox_items import LISTINGS, DataScope, Kind, from_item, to_item
from sandbox_common.storage.sandboxes_repository import count_update

if TYPE_CHECKING:
    from sandbox_common.messaging.users import MessagingUser


class MessagingUsersRepository:
    """Stored messaging users, listed by id."""

    def __init__(self, table: Any, sandboxes_table: str) -> None:
        self._table = table
        self._sandboxes_table = sandboxes_table

    def get(self, scope: DataScope, user_id: str) -> MessagingUser | None:
        """The stored user, or None (a default user that was never changed is not stored)."""
        with translated_errors():
            item = self._table.get_item(
                Key={"pk": scope.pk(Kind.USER), "sk": user_id}, ConsistentRead=True
            ).get("Item")
        return _user(item) if item else None

    def page(
        self, scope: DataScope, *, limit: int, after: str | None
    ) -> ListingPage[MessagingUser]:
        """Stored users by id, after id ``after``; a bounded read."""
        plan = plan_listing(LISTINGS[Kind.USER], {}, after=after)
        return query_listing(
            self._table, scope.pk(Kind.USER), plan, limit=limit, decode=_user, keep=_always
        )

    def save(
        self,
        scope: DataScope,
        user: MessagingUser,
        audit: dict[str, Any],
        *,
        expires_at: int,
        expected_version: int | None,
    ) -> None:
        """Store ``user`` with its audit entry, in one transaction.

        ``expected_version`` None: the user must not be stored yet (a new user, or the first
        change of a default one); otherwise the stored one must still be at that version.
        Conflict when another write got there first.
        """
        if expected_version is None:
            condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(sk)"}
        else:
            condition = {
                "ConditionExpression": "version = :expected",
                "ExpressionAttributeValues": {":expected": expected_version},
            }
        put = {
            "Put": {
                "TableName": self._table.name,
                "Item": user_item(scope, user, expires_at),
                **condition,
            }
        }
        counted = 1 if expected_version is None else 0
        with translated_errors("The user changed concurrently; try again"):
            transact_write(
                self._table.meta.client,
                [
                    put,
                    audit,
                    count_update(
                        self._sandboxes_table,
                        scope.sandbox_id,
                        scope.generation,
                        {Kind.USER: counted},
                    ),
                ],
            )


def user_item(scope: DataScope, user: MessagingUser, expires_at: int) -> dict[str, Any]:
    """The stored item of ``user`` (positioned by id, so listings are in id order)."""
    return to_item(
        user,
        live=frozenset({"version"}),
        pk=scope.pk(Kind.USER),
        sk=user.id,
        ts=user.id,
        expires_at=expires_at,
    )


def _user(item: dict[str, Any]) -> MessagingUser:
    from sandbox_common.messaging.users import MessagingUser

    return from_item(MessagingUser, item)


def _always(_: object) -> bool:
    return True
