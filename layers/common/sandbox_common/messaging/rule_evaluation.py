"""Which of the sandbox's rules apply to a message, and why the others do not."""

from __future__ import annotations

from datetime import datetime, timedelta

from sandbox_common import providers
from sandbox_common.auth import AuthContext, Permission
from sandbox_common.messaging.active_hours import local_time_of, zone_of
from sandbox_common.messaging.catalog import MESSAGE_ACTIONS
from sandbox_common.messaging.delivery import receiver_window
from sandbox_common.messaging.message_models import Message, RuleEvaluation, RulesEvaluation
from sandbox_common.messaging.messages import find_message
from sandbox_common.messaging.rule_sets import current_rules
from sandbox_common.messaging.rules import MessageContext, Rule, evaluate_message, frequency_caps
from sandbox_common.sandboxes.data_scope import data_scope
from sandbox_common.storage.sandbox_items import DataScope


def evaluate_rules(caller: AuthContext, message_id: str) -> RulesEvaluation:
    """Every rule of the sandbox's current rule set, in priority order, with whether it
    applies to the message as its receiver meets it; 404 if the message is not the sandbox's.

    Nothing is written: evaluating is a question, not an action.
    """
    caller.require(Permission.READ)
    _, scope = data_scope(caller)
    message = find_message(scope, message_id)
    rules = current_rules(scope)
    at = _reaches_receiver_at(message)
    context = MessageContext(
        local_time=local_time_of(at, zone_of(message.receiverTimezone)),
        metadata={
            "senderId": message.senderId,
            "receiverId": message.receiverId,
            "senderTimezone": message.senderTimezone,
            "receiverTimezone": message.receiverTimezone,
            "status": message.status.value,
        },
        active_window=receiver_window(scope, message.receiverId),
        recent_decisions=_recent_decisions(scope, message.receiverId, rules, at),
    )
    outcomes = evaluate_message(rules, context)
    return RulesEvaluation(
        messageId=message.messageId,
        applicableRules=[
            RuleEvaluation(
                ruleId=outcome.rule.id,
                name=outcome.rule.name,
                applies=outcome.applies,
                reason=outcome.why_not,
            )
            for outcome in outcomes
        ],
    )


def _reaches_receiver_at(message: Message) -> datetime:
    # Delivered: when it was; waiting: when it is due; sent: when it was handed over.
    return message.deliveredAt or message.deliverAt or message.createdAt


def _recent_decisions(
    scope: DataScope, receiver_id: str, rules: list[Rule], at: datetime
) -> dict[str, int]:
    """Rule id -> the receiver's decisions of that rule within its cap's hours before ``at``,
    for the capped rules that send messages (each count stops at the cap: a bounded read)."""
    repository = providers.signals_repository()
    counts = {}
    for rule_id, cap in frequency_caps(rules).items():
        rule = next(rule for rule in rules if rule.id == rule_id)
        if rule.action not in MESSAGE_ACTIONS:
            continue
        since = at - timedelta(hours=cap.withinHours)
        counts[rule_id] = repository.recent_decisions(
            scope, receiver_id, rule_id, since, at_most=cap.maxDecisions
        )
    return counts
