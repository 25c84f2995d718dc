"""Messages of a sandbox: created and moved between statuses atomically with their audit
entries, listed by sender or receiver, and found when due.

A message is one item (the record as a JSON document, its ``status`` as an attribute that
moves test). While it waits (scheduled or delayed) it also carries ``ix4 =
<deliverAt>#<id>``, so the messages due at a sandbox time are one Query of ``by_ix4`` up to
that time, however many messages the sandbox holds; the slot is removed in the write that
ends the wait.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox_common.clock import isoformat
from sandbox_common.messaging.audit import AuditEntry
from sandbox_common.messaging.message_models import Message
from sandbox_common.storage.audit_repository import audit_put
from sandbox_common.storage.dynamo import transact_write, translated_errors
from sandbox_common.storage.listing_plan import plan_listing
from sandbox_common.storage.listing_query import ListingPage, query_listing
from sandbox_common.storage.sandbox_items import (
    LISTINGS,
    DataScope,
    Kind,
    document,
    from_item,
    time_ts,
    to_item,
)
from sandbox_common.storage.sandboxes_repository import count_update

MESSAGE_LIVE = frozenset({"status"})
DUE_SLOT = "ix4"
DUE_INDEX = "by_ix4"


def due_key(message: Message) -> str | None:
    """The due-index key of ``message``: present only while it waits."""
    if not message.waiting or message.deliverAt is None:
        return None
    return f"{isoformat(message.deliverAt)}#{message.messageId}"


class MessagesRepository:
    """A sandbox's messages."""

    def __init__(self, table: Any, sandboxes_table: str) -> None:
        self._table = table
        self._sandboxes_table = sandboxes_table

    def get(self, scope: DataScope, message_id: str) -> Message | None:
        """The message, or None."""
        with translated_errors():
            item = self._table.get_item(
                Key={"pk": scope.pk(Kind.MESSAGE), "sk": message_id}, ConsistentRead=True
            ).get("Item")
        return from_item(Message, item) if item else None

    def add(
        self, scope: DataScope, message: Message, entries: list[AuditEntry], *, expires_at: int
    ) -> None:
        """Store a new message with its audit entries and its count, all or nothing, and
        only while ``scope`` is still the sandbox's data generation (Conflict otherwise)."""
        table = self._table.name
        self._transact(
            [
                {
                    "Put": {
                        "TableName": table,
                        "Item": message_item(scope, message, expires_at),
                        "ConditionExpression": "attribute_not_exists(sk)",
                    }
                },
                *(audit_put(table, scope, entry, expires_at) for entry in entries),
                count_update(
                    self._sandboxes_table, scope.sandbox_id, scope.generation, {Kind.MESSAGE: 1}
                ),
            ]
        )

    def move(
        self,
        scope: DataScope,
        before: Message,
        after: Message,
        entries: list[AuditEntry],
        *,
        expires_at: int,
    ) -> None:
        """Replace ``before`` by ``after`` with its audit entries, all or nothing.

        Conditional on the message being exactly as read: the same status and, while it
        waits, the same due time. A concurrent move (a second delivery, a mark racing the
        state machine) makes this one a Conflict and writes nothing.
        """
        table = self._table.name
        self._transact(
            [
                self._move_item(scope, before, after),
                *(audit_put(table, scope, entry, expires_at) for entry in entries),
            ]
        )

    def move_many(
        self,
        scope: DataScope,
        moves: list[tuple[Message, Message, list[AuditEntry]]],
        *,
        expires_at: int,
    ) -> None:
        """Every ``(before, after, entries)`` move of ``move`` in one transaction: all or
        nothing (one message changed concurrently makes the whole batch a Conflict).
        At most 100 items: the caller sizes the batch."""
        table = self._table.name
        items: list[dict[str, Any]] = []
        for before, after, entries in moves:
            items.append(self._move_item(scope, before, after))
            items += [audit_put(table, scope, entry, expires_at) for entry in entries]
        self._transact(items)

    def _move_item(self, scope: DataScope, before: Message, after: Message) -> dict[str, Any]:
        names = {"#status": "status"}
        values: dict[str, Any] = {
            ":doc": document(after, live=MESSAGE_LIVE),
            ":status": after.status.value,
            ":from": before.status.value,
        }
        expression = "SET doc = :doc, #status = :status"
        condition = "#status = :from"
        new_due = due_key(after)
        if new_due is not None:
            expression += f", {DUE_SLOT} = :due"
            values[":due"] = new_due
        else:
            expression += f" REMOVE {DUE_SLOT}"
        old_due = due_key(before)
        if old_due is not None:
            condition += f" AND {DUE_SLOT} = :was_due"
            values[":was_due"] = old_due
        return {
            "Update": {
                "TableName": self._table.name,
                "Key": {"pk": scope.pk(Kind.MESSAGE), "sk": before.messageId},
                "UpdateExpression": expression,
                "ConditionExpression": condition,
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }

    def page(
        self,
        scope: DataScope,
        conditions: dict[str, str],
        *,
        limit: int,
        after: str | None,
    ) -> ListingPage[Message]:
        """A page of the messages whose fields equal ``conditions`` (``senderId`` or
        ``receiverId``), newest first, after position ``after``; one bounded Query."""
        plan = plan_listing(LISTINGS[Kind.MESSAGE], conditions, after=after)
        return query_listing(
            self._table,
            scope.pk(Kind.MESSAGE),
            plan,
            limit=limit,
            decode=_message,
            keep=lambda message: all(
                getattr(message, name) == value for name, value in conditions.items()
            ),
        )

    def due(self, scope: DataScope, now: datetime, *, limit: int) -> list[Message]:
        """Up to ``limit`` waiting messages due at ``now`` or before, earliest due first."""
        from boto3.dynamodb.conditions import Key

        # Ids are url-safe characters, all below '~': every key of an instant <= now.
        high = f"{isoformat(now)}#~"
        request: dict[str, Any] = {
            "IndexName": DUE_INDEX,
            "KeyConditionExpression": Key("pk").eq(scope.pk(Kind.MESSAGE))
            & Key(DUE_SLOT).lte(high),
            "ScanIndexForward": True,
        }
        found: list[Message] = []
        with translated_errors():
            while len(found) < limit:
                response = self._table.query(**request, Limit=limit - len(found))
                found += [_message(item) for item in response.get("Items", [])]
                if "LastEvaluatedKey" not in response:
                    break
                request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return found

    def _transact(self, items: list[dict[str, Any]]) -> None:
        with translated_errors("The message changed concurrently"):
            transact_write(self._table.meta.client, items)


def message_item(scope: DataScope, message: Message, expires_at: int) -> dict[str, Any]:
    """The stored item of ``message``."""
    ts = time_ts(message.createdAt, message.messageId)
    keys = LISTINGS[Kind.MESSAGE].index_attributes(message, ts)
    due = due_key(message)
    if due is not None:
        keys[DUE_SLOT] = due
    return to_item(
        message,
        live=MESSAGE_LIVE,
        pk=scope.pk(Kind.MESSAGE),
        sk=message.messageId,
        ts=ts,
        expires_at=expires_at,
        **keys,
    )


def _message(item: dict[str, Any]) -> Message:
    return from_item(Message, item)
