"""Decisions and the actions orchestration makes of them.

A decision moves pending -> executed and an action pending -> executed only by a write
conditional on the status read, so two concurrent orchestrations (or executions) can never
run one twice: the second one's write is refused and it skips the record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox_common.errors import Conflict
from sandbox_common.messaging.behavior_models import Action, ActionStatus, Decision, DecisionStatus
from sandbox_common.storage.dynamo import transact_write, translated_errors
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

DECISION_LIVE = frozenset({"status", "executedAt", "actionId"})
ACTION_LIVE = frozenset({"status", "scheduledAt", "executedAt", "delayReason"})


class AlreadyDone(Exception):
    """The record was no longer pending when the write reached it (someone else ran it)."""


class DecisionsRepository:
    """Decisions and actions of a sandbox's users."""

    def __init__(self, table: Any, sandboxes_table: str) -> None:
        self._table = table
        self._sandboxes_table = sandboxes_table

    # ------------------------------------------------------------ decisions

    def decisions_page(
        self,
        scope: DataScope,
        user_id: str,
        status: DecisionStatus,
        *,
        limit: int,
        after: str | None,
    ) -> ListingPage[Decision]:
        """A user's decisions of ``status``, oldest first, after position ``after``."""
        return self._page(scope, Kind.DECISION, _decision, user_id, status.value, limit, after)

    def execute_decisions(
        self,
        scope: DataScope,
        executions: list[tuple[Decision, Action, list[dict[str, Any]]]],
        *,
        expires_at: int,
    ) -> None:
        """Mark pending decisions executed and store the actions they became with their
        audit entries (``audit_put`` items), all or nothing; AlreadyDone if any of them was
        no longer pending (then nothing is written: execute the others one by one)."""
        table = self._table.name
        items: list[dict[str, Any]] = []
        guarded: set[int] = set()
        for decision, action, audits in executions:
            executed = decision.model_copy(
                update={
                    "status": DecisionStatus.EXECUTED,
                    "executedAt": action.createdAt,
                    "actionId": action.actionId,
                }
            )
            guarded.add(len(items))
            items += [
                _status_update(
                    table, scope, Kind.DECISION, decision.decisionId, executed, DECISION_LIVE
                ),
                _new(table, action_item(scope, action, expires_at)),
                *audits,
            ]
        items.append(
            count_update(
                self._sandboxes_table,
                scope.sandbox_id,
                scope.generation,
                {Kind.ACTION: len(executions)},
            )
        )
        _transact(self._table, items, guarded=guarded)

    # ------------------------------------------------------------ actions

    def actions_page(
        self, scope: DataScope, user_id: str, status: ActionStatus, *, limit: int, after: str | None
    ) -> ListingPage[Action]:
        """A user's actions of ``status``, oldest first, after position ``after``."""
        return self._page(scope, Kind.ACTION, _action, user_id, status.value, limit, after)

    def pending_actions_by_due_time(
        self, scope: DataScope, user_id: str, *, limit: int
    ) -> tuple[list[Action], bool]:
        """Up to ``limit`` of a user's pending actions, soonest due first, and whether more
        are pending."""
        from boto3.dynamodb.conditions import Key

        prefix = f"{user_id}/"
        with translated_errors():
            response = self._table.query(
                IndexName="by_ix3",
                KeyConditionExpression=Key("pk").eq(scope.pk(Kind.ACTION))
                & Key("ix3").between(prefix, prefix + "\x7f"),
                Limit=limit + 1,
            )
        items = response.get("Items", [])
        return [_action(item) for item in items[:limit]], len(items) > limit

    def run_action(
        self, scope: DataScope, action: Action, at: datetime, audit: dict[str, Any]
    ) -> Action:
        """Mark a pending action executed at ``at`` with its audit entry; AlreadyDone if it
        was no longer pending."""
        executed = action.model_copy(
            update={"status": ActionStatus.EXECUTED, "executedAt": at, "delayReason": None}
        )
        table = self._table.name
        _transact(
            self._table,
            [
                _status_update(table, scope, Kind.ACTION, action.actionId, executed, ACTION_LIVE),
                audit,
            ],
            guarded={0},
        )
        return executed

    def postpone_action(
        self, scope: DataScope, action: Action, until: datetime, reason: str, audit: dict[str, Any]
    ) -> Action:
        """Move a pending action's due time to ``until`` (outside the user's hours) with its
        audit entry; AlreadyDone if it was no longer pending at the time read."""
        postponed = action.model_copy(update={"scheduledAt": until, "delayReason": reason})
        table = self._table.name
        update = _status_update(table, scope, Kind.ACTION, action.actionId, postponed, ACTION_LIVE)
        update["Update"]["ConditionExpression"] += " AND scheduledAt = :was"
        update["Update"]["ExpressionAttributeValues"][":was"] = _stored_time(action.scheduledAt)
        _transact(self._table, [update, audit], guarded={0})
        return postponed

    # ------------------------------------------------------------ shared

    def count_pending(self, scope: DataScope, kind: Kind, user_id: str, *, at_most: int) -> int:
        """How many of a user's decisions or actions (``kind``) are pending, counting no
        further than ``at_most`` (a bounded read)."""
        from boto3.dynamodb.conditions import Key

        prefix = f"{user_id}/pending#"
        with translated_errors():
            response = self._table.query(
                IndexName="by_ix1",
                KeyConditionExpression=Key("pk").eq(scope.pk(kind))
                & Key("ix1").between(prefix, prefix + "\x7f"),
                Select="COUNT",
                Limit=max(1, at_most),
            )
        return int(response.get("Count", 0))

    def _page[T](
        self,
        scope: DataScope,
        kind: Kind,
        decode: Any,
        user_id: str,
        status: str,
        limit: int,
        after: str | None,
    ) -> ListingPage[T]:
        plan = plan_listing(LISTINGS[kind], {"user_status": f"{user_id}/{status}"}, after=after)
        return query_listing(
            self._table, scope.pk(kind), plan, limit=limit, decode=decode, keep=_always
        )


def decision_item(scope: DataScope, decision: Decision, expires_at: int) -> dict[str, Any]:
    """The stored item of ``decision``."""
    ts = time_ts(decision.createdAt, decision.decisionId)
    return to_item(
        decision,
        live=DECISION_LIVE,
        pk=scope.pk(Kind.DECISION),
        sk=decision.decisionId,
        ts=ts,
        expires_at=expires_at,
        **LISTINGS[Kind.DECISION].index_attributes(decision, ts),
    )


def action_item(scope: DataScope, action: Action, expires_at: int) -> dict[str, Any]:
    """The stored item of ``action``."""
    ts = time_ts(action.createdAt, action.actionId)
    return to_item(
        action,
        live=ACTION_LIVE,
        pk=scope.pk(Kind.ACTION),
        sk=action.actionId,
        ts=ts,
        expires_at=expires_at,
        **LISTINGS[Kind.ACTION].index_attributes(action, ts),
    )


def _status_update(
    table: str, scope: DataScope, kind: Kind, record_id: str, after: Any, live: frozenset[str]
) -> dict[str, Any]:
    """An update of ``after``'s live fields and index keys, conditional on it being pending."""
    ts = time_ts(after.createdAt, record_id)
    keys = LISTINGS[kind].index_attributes(after, ts)
    values: dict[str, Any] = {":pending": "pending"}
    names = {"#status": "status"}
    sets, removes = [], []
    for name in sorted(live):
        value = getattr(after, name)
        placeholder = f"#f_{name}"
        target = "#status" if name == "status" else placeholder
        if name != "status":
            names[placeholder] = name
        if value is None:
            removes.append(target)
        else:
            sets.append(f"{target} = :v_{name}")
            values[f":v_{name}"] = (
                _stored_time(value) if isinstance(value, datetime) else str(value)
            )
    for slot in LISTINGS[kind].slots.values():
        if slot in keys:
            sets.append(f"{slot} = :{slot}")
            values[f":{slot}"] = keys[slot]
        else:
            removes.append(slot)
    expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
    return {
        "Update": {
            "TableName": table,
            "Key": {"pk": scope.pk(kind), "sk": record_id},
            "UpdateExpression": expression,
            "ConditionExpression": "#status = :pending",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
    }


def _stored_time(moment: datetime) -> str:
    # As ``to_item`` stores a live datetime attribute, so a condition can compare it.
    from datetime import UTC

    return moment.astimezone(UTC).isoformat()


def _transact(table: Any, items: list[dict[str, Any]], *, guarded: set[int]) -> None:
    """Run a write transaction; a failed condition on an item in ``guarded`` (a status
    read as pending) is AlreadyDone."""
    from botocore.exceptions import ClientError

    try:
        with translated_errors():
            transact_write(table.meta.client, items)
    except Conflict as exc:
        cause = exc.__cause__
        if isinstance(cause, ClientError):
            reasons = cause.response.get("CancellationReasons", [])
            failed = {i for i, r in enumerate(reasons) if r.get("Code") == "ConditionalCheckFailed"}
            if failed & guarded:
                raise AlreadyDone from exc
        raise


def _new(table: str, item: dict[str, Any]) -> dict[str, Any]:
    return {
        "Put": {"TableName": table, "Item": item, "ConditionExpression": "attribute_not_exists(sk)"}
    }


def _decision(item: dict[str, Any]) -> Decision:
    return from_item(Decision, item)


def _action(item: dict[str, Any]) -> Action:
    return from_item(Action, item)


def _always(_: object) -> bool:
    return True
