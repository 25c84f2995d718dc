"""Signals in, decisions out: a signal is recorded, normalized into an event, the sandbox's
rules are evaluated against it, and each rule that applies makes a pending decision.

The signal, its event, its decisions and their audit entries are written in one
transaction: a signal is never recorded without its decisions, nor a decision without its
entry. Rules see the user's local time (their zone, or the one the event names) on the
sandbox clock, and a capped rule sees how many decisions it made for the user lately: its
recent decision times are kept in one record per user and rule, which the transaction
moves only over the version read, so concurrent signals never exceed a cap.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sandbox_common import business_events, providers
from sandbox_common.auth import AuthContext, Permission
from sandbox_common.errors import Conflict, InvalidInput
from sandbox_common.messaging.active_hours import local_clock_label, local_time_of, zone_of
from sandbox_common.messaging.audit import AuditType, new_audit_entry
from sandbox_common.messaging.behavior_models import (
    Decision,
    Event,
    EventProcessed,
    EventTriggered,
    RecordedSignal,
    Signal,
    SignalRecorded,
    TriggeredRule,
)
from sandbox_common.messaging.catalog import require_signal
from sandbox_common.messaging.ids import ordered_id, random_id
from sandbox_common.messaging.rule_sets import current_rules
from sandbox_common.messaging.rules import Rule, RuleContext, RuleOutcome, evaluate
from sandbox_common.messaging.users import MessagingUser, get_user
from sandbox_common.platform_usage.counters import BusinessEvent
from sandbox_common.sandboxes.data_scope import data_expiry, data_scope
from sandbox_common.storage.sandbox_items import DataScope, expiry
from sandbox_common.storage.signals_repository import (
    CapChanged,
    CapUpdate,
    SignalClaim,
    SignalKeyUsed,
)

# Rounds of count-and-decide when concurrent signals for one user race on a capped rule:
# every lost round means another signal was recorded, so a few are plenty.
_CAP_ATTEMPTS = 5


@dataclass(frozen=True)
class SignalOutcome:
    """What one signal led to: the records written and every rule's outcome (``replayed``:
    a retry with the same Idempotency-Key, answered with what the first request made)."""

    signal: Signal
    event: Event
    decisions: list[Decision]
    outcomes: list[RuleOutcome]
    replayed: bool = False


def record_signal(
    caller: AuthContext,
    *,
    user_id: str,
    signal_type: str,
    metadata: Mapping[str, Any] | None = None,
    occurred_at: datetime | None = None,
    timezone: str | None = None,
    type_field: str = "type",
    idempotency_key: str | None = None,
) -> SignalOutcome:
    """Record a signal of a catalog type for a user and create the decisions it leads to.

    400 for a type outside the catalog (``type_field`` names the body field), an unknown
    zone or a moment later than now; 404 for a user the sandbox does not hold. With an
    ``idempotency_key`` a retry of the same request is answered with what the first one
    made (nothing is recorded twice); the same key with another request is 409.
    """
    caller.require(Permission.WRITE)
    require_signal(signal_type, field=type_field)
    _, scope = data_scope(caller)
    claim = None
    if idempotency_key is not None:
        request = [type_field, user_id, signal_type, metadata, occurred_at, timezone]
        claim = _claim(idempotency_key, request)
        replay = _replay(scope, claim)
        if replay is not None:
            return replay
    user = get_user(scope, user_id)
    now = providers.clock().now()
    occurred = occurred_at or now
    if occurred > now:
        raise InvalidInput("'timestamp' must not be later than the sandbox's current time")
    zone_name = timezone or user.timezone
    zone_of(zone_name)  # 400 for an unknown zone, before anything is evaluated
    signal, event = _normalized(user.id, signal_type, metadata, occurred, zone_name, now)
    rules = current_rules(scope)
    capped = [r for r in rules if r.trigger == signal_type and r.frequency_cap is not None]
    for _ in range(_CAP_ATTEMPTS):
        windows = providers.signals_repository().cap_windows(
            scope, user.id, [rule.id for rule in capped]
        )
        context = RuleContext(
            signal_type=signal_type,
            local_time=local_time_of(occurred, zone_of(zone_name)),
            metadata=signal.metadata,
            recent_decisions={r.id: recent_count(windows[r.id].times, r, now) for r in capped},
            active_window=user.activeHours,
        )
        outcomes = evaluate(rules, context)
        applying = _applying(outcomes)
        decisions = [_decision(rule, event, now) for rule in applying]
        caps = [
            CapUpdate(
                user_id=user.id,
                rule_id=rule.id,
                times=with_decision(windows[rule.id].times, rule, now),
                expected=windows[rule.id].version,
            )
            for rule in applying
            if rule.frequency_cap is not None
        ]
        try:
            _store(scope, user, signal, event, decisions, outcomes, now, claim, caps)
        except CapChanged:
            continue  # a concurrent signal decided by a capped rule first: count again
        except SignalKeyUsed:
            # A concurrent request with the same key won the race: answer as its retry would.
            replay = _replay(scope, claim) if claim else None
            if replay is None:  # pragma: no cover - the key's record expired in between
                raise Conflict("The idempotency key is in use; retry") from None
            return replay
        business_events.record(BusinessEvent.SIGNALS, identity=scope.sandbox_id)
        return SignalOutcome(signal, event, decisions, outcomes)
    raise Conflict("Signals for this user are arriving concurrently; retry")


def _normalized(
    user_id: str,
    signal_type: str,
    metadata: Mapping[str, Any] | None,
    occurred: datetime,
    zone_name: str,
    now: datetime,
) -> tuple[Signal, Event]:
    """The signal as received and the event it normalizes into."""
    zone = zone_of(zone_name)
    signal = Signal(
        signalId=random_id("sig_"),
        userId=user_id,
        type=signal_type,
        metadata=dict(metadata or {}),
        timestamp=occurred,
        receivedAt=now,
    )
    event = Event(
        eventId=random_id("evt_"),
        signalId=signal.signalId,
        userId=user_id,
        eventType=require_signal(signal_type).eventTypes[0],
        signalType=signal_type,
        timezone=zone_name,
        occurredAt=occurred,
        localTime=local_clock_label(occurred, zone),
        metadata=signal.metadata,
        createdAt=now,
    )
    return signal, event


def recent_count(times: tuple[datetime, ...], rule: Rule, now: datetime) -> int:
    """How many of a capped rule's decision times fall within its cap's hours before now."""
    cap = rule.frequency_cap
    if cap is None:
        return 0
    since = now - timedelta(hours=cap.withinHours)
    return sum(1 for moment in times if moment >= since)


def with_decision(times: tuple[datetime, ...], rule: Rule, now: datetime) -> tuple[datetime, ...]:
    """A capped rule's decision times after one more at ``now``: only the ones its cap can
    still count (within its hours, the latest ``maxDecisions``)."""
    cap = rule.frequency_cap
    if cap is None:
        return ()
    since = now - timedelta(hours=cap.withinHours)
    kept = [moment for moment in times if moment >= since] + [now]
    return tuple(kept[-cap.maxDecisions :])


def _claim(key: str, request: list[Any]) -> SignalClaim:
    body = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)
    ttl = timedelta(hours=providers.settings().idempotency_ttl_hours)
    return SignalClaim(
        key=key,
        fingerprint=hashlib.sha256(body.encode()).hexdigest(),
        expires_at=expiry(days=0) + int(ttl.total_seconds()),
    )


def _replay(scope: DataScope, claim: SignalClaim) -> SignalOutcome | None:
    repository = providers.signals_repository()
    recorded = repository.recorded(scope, claim.key)
    if recorded is None:
        return None
    if recorded.fingerprint != claim.fingerprint:
        raise Conflict("This Idempotency-Key was used with a different request")
    records = repository.records(scope, recorded)
    if records is None:  # pragma: no cover - the records expired before their key
        return None
    signal, event, decisions = records
    return SignalOutcome(signal, event, decisions, [], replayed=True)


def _applying(outcomes: list[RuleOutcome]) -> list[Rule]:
    return [outcome.rule for outcome in outcomes if outcome.applies]


def _decision(rule: Rule, event: Event, now: datetime) -> Decision:
    return Decision(
        decisionId=ordered_id("decision_", now),
        userId=event.userId,
        type=rule.action.value,
        channel=rule.channel.value,
        reason=rule.reason,
        confidence=rule.confidence,
        ruleId=rule.id,
        ruleName=rule.name,
        priority=rule.priority,
        delayMs=rule.delayMs,
        eventId=event.eventId,
        signalId=event.signalId,
        createdAt=now,
    )


def _store(
    scope: DataScope,
    user: MessagingUser,
    signal: Signal,
    event: Event,
    decisions: list[Decision],
    outcomes: list[RuleOutcome],
    now: datetime,
    claim: SignalClaim | None,
    caps: list[CapUpdate],
) -> None:
    from sandbox_common.storage.audit_repository import audit_put

    expires_at = data_expiry()
    table = providers.settings().data_table
    entries = [
        new_audit_entry(
            AuditType.SIGNAL_PROCESSED,
            user.id,
            now,
            status="processed",
            details={
                "signalId": signal.signalId,
                "signalType": signal.type,
                "eventId": event.eventId,
                "eventType": event.eventType,
                "timezone": event.timezone,
                "localTime": event.localTime,
                "rulesTriggered": [d.ruleId for d in decisions],
                # Why each rule for this signal type did not apply (conditions, caps).
                "rulesNotTriggered": {
                    o.rule_id: o.why_not
                    for o in outcomes
                    if not o.applies and o.rule.trigger == signal.type
                },
            },
        ),
        *(
            new_audit_entry(
                AuditType.DECISION_CREATED,
                user.id,
                now,
                status=decision.status.value,
                details={
                    "decisionId": decision.decisionId,
                    "ruleId": decision.ruleId,
                    "ruleName": decision.ruleName,
                    "confidence": decision.confidence,
                    "action": decision.type,
                    "channel": decision.channel,
                    "reason": decision.reason,
                    "delayMs": decision.delayMs,
                    "eventId": event.eventId,
                },
            )
            for decision in decisions
        ),
    ]
    providers.signals_repository().record(
        scope,
        signal,
        event,
        decisions,
        [audit_put(table, scope, entry, expires_at) for entry in entries],
        expires_at=expires_at,
        claim=claim,
        caps=caps,
    )


# ------------------------------------------------------------------ answers


def signal_answer(outcome: SignalOutcome) -> SignalRecorded:
    """The answer of ``POST /signals``."""
    created = len(outcome.decisions)
    return SignalRecorded(
        message="Signal recorded and decisions created"
        if created
        else "Signal recorded; no rule applied",
        signal=RecordedSignal.model_validate(outcome.signal.model_dump()),
        eventId=outcome.event.eventId,
        decisionsCreated=created,
        decisionIds=[d.decisionId for d in outcome.decisions],
    )


def processed_answer(outcome: SignalOutcome) -> EventProcessed:
    """The answer of ``POST /events/process``: each rule that applied and its decision."""
    event = outcome.event
    return EventProcessed(
        eventId=event.eventId,
        eventType=event.signalType,
        normalizedEventType=event.eventType,
        userId=event.userId,
        timestamp=event.occurredAt,
        timezone=event.timezone,
        localTime=event.localTime,
        rulesTriggered=[
            TriggeredRule(
                ruleId=d.ruleId,
                ruleName=d.ruleName,
                action=d.type,
                decisionId=d.decisionId,
                confidence=d.confidence,
            )
            for d in outcome.decisions
        ],
        decisionsCreated=len(outcome.decisions),
    )


def triggered_answer(outcome: SignalOutcome) -> EventTriggered:
    """The answer of ``POST /events``."""
    event, created = outcome.event, len(outcome.decisions)
    return EventTriggered(
        eventId=event.eventId,
        eventType=event.signalType,
        normalizedEventType=event.eventType,
        userId=event.userId,
        rulesTriggered=created,
        decisionsCreated=created,
        decisionIds=[d.decisionId for d in outcome.decisions],
        message=f"Event triggered, {created} rule(s) triggered, {created} decision(s) created",
    )
