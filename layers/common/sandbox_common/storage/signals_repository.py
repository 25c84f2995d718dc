"""Signals, the events they are normalized into and the decisions rules make of them,
written together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox_common.clock import isoformat
from sandbox_common.errors import Conflict
from sandbox_common.messaging.behavior_models import Decision, Event, Signal
from sandbox_common.storage.decisions_repository import decision_item
from sandbox_common.storage.dynamo import transact_write, translated_errors
from sandbox_common.storage.sandbox_items import (
    DataScope,
    Kind,
    from_item,
    time_ts,
    to_item,
)
from sandbox_common.storage.sandboxes_repository import count_update

# One transaction holds the signal, its event, the count update, the idempotency key and,
# per decision, the decision and its audit entry (plus the signal's own entry): DynamoDB
# allows 100 writes.
MAX_DECISIONS_PER_SIGNAL = 40
# Idempotency keys of signals share the sandbox's idempotency partition with transfers'.
_KEY_PREFIX = "signal:"


@dataclass(frozen=True)
class SignalClaim:
    """An ``Idempotency-Key`` sent with a signal, and the request it was first used for."""

    key: str
    fingerprint: str
    expires_at: int


@dataclass(frozen=True)
class RecordedSignal:
    """What a signal's idempotency key points at: the request and the records it made."""

    fingerprint: str
    signal_id: str
    event_id: str
    decision_ids: list[str]


class SignalKeyUsed(Exception):
    """The signal was not recorded: its idempotency key is already stored."""


class CapChanged(Exception):
    """The signal was not recorded: a capped rule's recent decisions changed since read."""


@dataclass(frozen=True)
class CapWindow:
    """When a rule last decided for a user (oldest first, at most its cap's count kept),
    and the version a write must still find (0: never stored)."""

    times: tuple[datetime, ...] = ()
    version: int = 0


@dataclass(frozen=True)
class CapUpdate:
    """A capped rule decided again: its new recent times, written only over ``expected``."""

    user_id: str
    rule_id: str
    times: tuple[datetime, ...]
    expected: int


class SignalsRepository:
    """Recorded signals and events, and the decisions made of them."""

    def __init__(self, table: Any, sandboxes_table: str) -> None:
        self._table = table
        self._sandboxes_table = sandboxes_table

    def record(
        self,
        scope: DataScope,
        signal: Signal,
        event: Event,
        decisions: list[Decision],
        audits: list[dict[str, Any]],
        *,
        expires_at: int,
        claim: SignalClaim | None = None,
        caps: list[CapUpdate] | None = None,
    ) -> None:
        """Store a signal, its event, its decisions and their audit entries (``audit_put``
        items), all or nothing, and only while ``scope`` is the sandbox's data generation.

        With a ``claim`` its key is stored in the same transaction; SignalKeyUsed when the
        key already is (a retry, or a concurrent request with the same key, got there first).
        ``caps`` move the capped rules' windows, each only over the version read: CapChanged
        when a concurrent signal moved one first (count again and decide again).
        """
        if len(decisions) > MAX_DECISIONS_PER_SIGNAL:
            raise ValueError(f"at most {MAX_DECISIONS_PER_SIGNAL} decisions per signal")
        table = self._table.name
        items = [
            _new(table, signal_item(scope, signal, expires_at)),
            _new(table, event_item(scope, event, expires_at)),
            *(_new(table, decision_item(scope, d, expires_at)) for d in decisions),
            *audits,
            count_update(
                self._sandboxes_table,
                scope.sandbox_id,
                scope.generation,
                {Kind.SIGNAL: 1, Kind.EVENT: 1, Kind.DECISION: len(decisions)},
            ),
        ]
        first_cap = len(items)
        items += [_cap_put(table, scope, cap, expires_at) for cap in caps or []]
        key_at = None
        if claim is not None:
            key_at = len(items)
            items.append(_claim_put(table, scope, claim, signal, event, decisions))
        failed = _failed_condition(self._table, items)
        if failed is None:
            return
        if failed == key_at:
            raise SignalKeyUsed
        if first_cap <= failed < first_cap + len(caps or []):
            raise CapChanged
        raise Conflict("The sandbox changed concurrently; try again")

    def recorded(self, scope: DataScope, key: str) -> RecordedSignal | None:
        """What an idempotency key of a signal was used for, or None."""
        with translated_errors():
            item = self._table.get_item(
                Key={"pk": scope.pk(Kind.IDEMPOTENCY), "sk": _KEY_PREFIX + key},
                ConsistentRead=True,
            ).get("Item")
        if not item:
            return None
        return RecordedSignal(
            fingerprint=str(item["fingerprint"]),
            signal_id=str(item["signal_id"]),
            event_id=str(item["event_id"]),
            decision_ids=[str(d) for d in item.get("decision_ids", [])],
        )

    def records(
        self, scope: DataScope, recorded: RecordedSignal
    ) -> tuple[Signal, Event, list[Decision]] | None:
        """The signal, event and decisions a key points at, as stored now (None if gone).

        Reads one item per record: a replay reads what the first request wrote, no more.
        """
        signal = self._get(scope, Kind.SIGNAL, recorded.signal_id)
        event = self._get(scope, Kind.EVENT, recorded.event_id)
        if signal is None or event is None:
            return None
        decisions = [
            from_item(Decision, item)
            for decision_id in recorded.decision_ids
            if (item := self._get(scope, Kind.DECISION, decision_id)) is not None
        ]
        return from_item(Signal, signal), from_item(Event, event), decisions

    def _get(self, scope: DataScope, kind: Kind, record_id: str) -> dict[str, Any] | None:
        with translated_errors():
            item: dict[str, Any] | None = self._table.get_item(
                Key={"pk": scope.pk(kind), "sk": record_id}, ConsistentRead=True
            ).get("Item")
        return item

    def recent_decisions(
        self, scope: DataScope, user_id: str, rule_id: str, since: datetime, *, at_most: int
    ) -> int:
        """How many decisions ``rule_id`` made for ``user_id`` since ``since`` (inclusive),
        counting no further than ``at_most`` (a frequency cap only asks whether it is hit)."""
        from boto3.dynamodb.conditions import Key

        prefix = f"{user_id}/{rule_id}#"
        with translated_errors():
            response = self._table.query(
                IndexName="by_ix3",
                KeyConditionExpression=Key("pk").eq(scope.pk(Kind.DECISION))
                & Key("ix3").between(prefix + isoformat(since), prefix + "\x7f"),
                Select="COUNT",
                Limit=max(1, at_most),
            )
        return int(response.get("Count", 0))

    def cap_windows(
        self, scope: DataScope, user_id: str, rule_ids: list[str]
    ) -> dict[str, CapWindow]:
        """Each rule's recent decisions for the user (one read per capped rule)."""
        windows = {}
        for rule_id in rule_ids:
            with translated_errors():
                item = self._table.get_item(
                    Key={"pk": scope.pk(Kind.DECISION), "sk": _cap_key(user_id, rule_id)},
                    ConsistentRead=True,
                ).get("Item")
            windows[rule_id] = (
                CapWindow(
                    times=tuple(datetime.fromisoformat(t) for t in item.get("times", [])),
                    version=int(item["version"]),
                )
                if item
                else CapWindow()
            )
        return windows


def signal_item(scope: DataScope, signal: Signal, expires_at: int) -> dict[str, Any]:
    """The stored item of ``signal``."""
    return to_item(
        signal,
        pk=scope.pk(Kind.SIGNAL),
        sk=signal.signalId,
        ts=time_ts(signal.receivedAt, signal.signalId),
        expires_at=expires_at,
    )


def event_item(scope: DataScope, event: Event, expires_at: int) -> dict[str, Any]:
    """The stored item of ``event``."""
    return to_item(
        event,
        pk=scope.pk(Kind.EVENT),
        sk=event.eventId,
        ts=time_ts(event.createdAt, event.eventId),
        expires_at=expires_at,
    )


def _new(table: str, item: dict[str, Any]) -> dict[str, Any]:
    return {
        "Put": {"TableName": table, "Item": item, "ConditionExpression": "attribute_not_exists(sk)"}
    }


def _claim_put(
    table: str,
    scope: DataScope,
    claim: SignalClaim,
    signal: Signal,
    event: Event,
    decisions: list[Decision],
) -> dict[str, Any]:
    return _new(
        table,
        {
            "pk": scope.pk(Kind.IDEMPOTENCY),
            "sk": _KEY_PREFIX + claim.key,
            "ts": time_ts(signal.receivedAt, signal.signalId),
            "fingerprint": claim.fingerprint,
            "signal_id": signal.signalId,
            "event_id": event.eventId,
            "decision_ids": [d.decisionId for d in decisions],
            "expires_at": claim.expires_at,
        },
    )


def _cap_key(user_id: str, rule_id: str) -> str:
    # Beside the decisions, without a ``ts`` or filter keys: no listing ever reads it.
    return f"cap#{user_id}#{rule_id}"


def _cap_put(table: str, scope: DataScope, cap: CapUpdate, expires_at: int) -> dict[str, Any]:
    condition: dict[str, Any] = (
        {"ConditionExpression": "attribute_not_exists(sk)"}
        if cap.expected == 0
        else {
            "ConditionExpression": "version = :expected",
            "ExpressionAttributeValues": {":expected": cap.expected},
        }
    )
    item = {
        "pk": scope.pk(Kind.DECISION),
        "sk": _cap_key(cap.user_id, cap.rule_id),
        "times": [isoformat(t) for t in cap.times],
        "version": cap.expected + 1,
        "expires_at": expires_at,
    }
    return {"Put": {"TableName": table, "Item": item, **condition}}


def _failed_condition(table: Any, items: list[dict[str, Any]]) -> int | None:
    """Run a write transaction: None when it was written, else the index of the item whose
    condition failed (-1 when the reasons do not say)."""
    from botocore.exceptions import ClientError

    try:
        with translated_errors():
            transact_write(table.meta.client, items)
    except Conflict as exc:
        cause = exc.__cause__
        if not isinstance(cause, ClientError):
            raise
        reasons = cause.response.get("CancellationReasons", [])
        failed = [i for i, r in enumerate(reasons) if r.get("Code") == "ConditionalCheckFailed"]
        if not failed:
            raise
        return failed[0]
    return None
