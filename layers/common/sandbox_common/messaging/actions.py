"""Actions: what an executed decision does, and when.

An action runs at once when its rule has no delay and, if it sends a message, the user is
inside their active hours; otherwise it waits (pending) until ``scheduledAt``: the rule's
delay after now, moved on to the user's next allowed time for a message. Executing a user's
actions runs the due ones (each by a write conditional on it still being pending) and
reports the rest with how long they wait.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sandbox_common import providers
from sandbox_common.auth import AuthContext, Permission
from sandbox_common.clock import isoformat
from sandbox_common.messaging.active_hours import (
    is_open,
    local_clock_label,
    next_allowed,
    window_label,
    zone_of,
)
from sandbox_common.messaging.audit import AuditType, new_audit_entry
from sandbox_common.messaging.behavior_models import (
    Action,
    ActionExecution,
    ActionFilter,
    ActionStatus,
    Decision,
    DelayedAction,
    ExecutedAction,
    ExecutedAndDelayed,
    PendingAction,
    UserActions,
    wait_ms,
)
from sandbox_common.messaging.catalog import MESSAGE_ACTIONS
from sandbox_common.messaging.ids import ordered_id
from sandbox_common.messaging.users import MessagingUser, get_user
from sandbox_common.sandboxes.data_scope import (
    data_expiry,
    data_scope,
    page_cursor,
    page_limit,
    page_start,
)
from sandbox_common.storage.sandbox_items import DataScope, Kind

# Actions one execution looks at (soonest due first); the rest wait for the next call.
MAX_EXECUTED = 100
# Pending records counted for "remaining" at most (a bounded read).
MAX_COUNTED = 1000
_MESSAGE_ACTION_TYPES = frozenset(action.value for action in MESSAGE_ACTIONS)


def sends_message(action_type: str) -> bool:
    """Whether an action of ``action_type`` reaches the user as a message."""
    return action_type in _MESSAGE_ACTION_TYPES


@dataclass(frozen=True)
class OutsideHours:
    """A message action may not run yet: the user's window, zone and local time, and the
    next instant the window opens."""

    window: str
    timezone: str
    local_time: str
    next_allowed: datetime

    def reason(self) -> str:
        """The delay reason an action carries."""
        return f"outside active hours {self.window} ({self.timezone}, local time {self.local_time})"

    def details(self) -> dict[str, Any]:
        """What an audit entry records about the delay."""
        return {
            "why": "Outside active hours",
            "window": self.window,
            "timezone": self.timezone,
            "localTime": self.local_time,
            "nextAllowedUtc": isoformat(self.next_allowed),
        }


def outside_hours(user: MessagingUser, action_type: str, at: datetime) -> OutsideHours | None:
    """Why a message action may not run at ``at`` for ``user``; None when it may (or when
    the action is not a message: only messages wait for active hours)."""
    if not sends_message(action_type):
        return None
    zone = zone_of(user.timezone)
    if is_open(user.activeHours, zone, at):
        return None
    return OutsideHours(
        window=window_label(user.activeHours),
        timezone=user.timezone,
        local_time=local_clock_label(at, zone),
        next_allowed=next_allowed(user.activeHours, zone, at),
    )


def plan_action(
    decision: Decision, user: MessagingUser, now: datetime
) -> tuple[Action, dict[str, Any]]:
    """The action ``decision`` becomes at ``now`` (pure), and why it waits (empty when it
    runs at once): the rule's delay, then, for a message, the user's next allowed time."""
    due = now + timedelta(milliseconds=decision.delayMs)
    why: dict[str, Any] = {}
    reasons = []
    if decision.delayMs:
        why["delayMs"] = decision.delayMs
        reasons.append(f"rule {decision.ruleId} delays it {decision.delayMs} ms")
    blocked = outside_hours(user, decision.type, due)
    if blocked is not None:
        why.update(blocked.details())
        due = blocked.next_allowed
        reasons.append(blocked.reason())
    runs_now = due <= now
    action = Action(
        actionId=ordered_id("act_", now),
        userId=decision.userId,
        actionType=decision.type,
        channel=decision.channel,
        reason=decision.reason,
        decisionId=decision.decisionId,
        ruleId=decision.ruleId,
        status=ActionStatus.EXECUTED if runs_now else ActionStatus.PENDING,
        createdAt=now,
        scheduledAt=due,
        executedAt=now if runs_now else None,
        delayReason=None if runs_now else "; ".join(reasons),
    )
    if not runs_now:
        why["scheduledAt"] = isoformat(due)
    return action, why


def list_actions(
    caller: AuthContext, user_id: str, where: ActionFilter
) -> tuple[UserActions, str | None]:
    """A page of a user's actions (pending unless ``where.status`` says), oldest first, and
    the next page's cursor; 404 for a user the sandbox does not hold."""
    caller.require(Permission.READ)
    _, scope = data_scope(caller)
    user = get_user(scope, user_id)
    query = _UserActionsQuery(**where.model_dump(), userId=user.id)
    page = providers.decisions_repository().actions_page(
        scope,
        user.id,
        where.status,
        limit=page_limit(where.limit),
        after=page_start(scope, Kind.ACTION, query),
    )
    actions = [PendingAction.model_validate(a.model_dump()) for a in page.items]
    noun = "pending actions" if where.status is ActionStatus.PENDING else "executed actions"
    answer = UserActions(
        userId=user.id,
        actionCount=len(actions),
        actions=actions,
        message=f"{len(actions)} {noun}",
    )
    return answer, page_cursor(scope, Kind.ACTION, query, page.next_position)


def execute_actions(caller: AuthContext, user_id: str) -> ActionExecution:
    """Run a user's due pending actions (soonest first, at most ``MAX_EXECUTED``); report
    the others with their due time and wait. A due message outside the user's active hours
    is moved to the next allowed time instead. 404 for an unknown user."""
    caller.require(Permission.WRITE)
    _, scope = data_scope(caller)
    user = get_user(scope, user_id)
    repository = providers.decisions_repository()
    now = providers.clock().now()
    pending, more = repository.pending_actions_by_due_time(scope, user.id, limit=MAX_EXECUTED)
    executed: list[ExecutedAction] = []
    delayed: list[DelayedAction] = []
    for action in pending:
        outcome = _execute_one(scope, user, action, now)
        if isinstance(outcome, ExecutedAction):
            executed.append(outcome)
        elif outcome is not None:
            delayed.append(outcome)
    remaining = 0
    if more:
        left = repository.count_pending(scope, Kind.ACTION, user.id, at_most=MAX_COUNTED)
        remaining = max(0, left - len(delayed))
    return ActionExecution(
        userId=user.id,
        executed=len(executed),
        delayed=len(delayed),
        actions=ExecutedAndDelayed(executed=executed, delayed=delayed),
        remaining=remaining,
        message=f"Executed {len(executed)} actions, {len(delayed)} delayed",
    )


def _execute_one(
    scope: DataScope, user: MessagingUser, action: Action, now: datetime
) -> ExecutedAction | DelayedAction | None:
    """Run one pending action if it is due and allowed, else say when it will be; None
    when a concurrent execution got to it first."""
    from sandbox_common.storage.audit_repository import audit_put
    from sandbox_common.storage.decisions_repository import AlreadyDone

    if action.scheduledAt > now:
        return _delayed(action, now)
    repository = providers.decisions_repository()
    table = providers.settings().data_table
    expires_at = data_expiry()
    about = {"actionId": action.actionId, "actionType": action.actionType}
    blocked = outside_hours(user, action.actionType, now)
    try:
        if blocked is not None:
            entry = new_audit_entry(
                AuditType.ACTION_DELAYED,
                user.id,
                now,
                status=ActionStatus.PENDING.value,
                details={**about, **blocked.details()},
            )
            postponed = repository.postpone_action(
                scope,
                action,
                blocked.next_allowed,
                blocked.reason(),
                audit_put(table, scope, entry, expires_at),
            )
            return _delayed(postponed, now)
        entry = new_audit_entry(
            AuditType.ACTION_EXECUTED,
            user.id,
            now,
            status=ActionStatus.EXECUTED.value,
            details={
                **about,
                "decisionId": action.decisionId,
                "ruleId": action.ruleId,
                "scheduledAt": isoformat(action.scheduledAt),
            },
        )
        done = repository.run_action(scope, action, now, audit_put(table, scope, entry, expires_at))
    except AlreadyDone:
        return None  # a concurrent execution ran (or moved) it: not ours to report
    return ExecutedAction(
        actionId=done.actionId, actionType=done.actionType, executedAt=now, status=done.status
    )


def _delayed(action: Action, now: datetime) -> DelayedAction:
    return DelayedAction(
        actionId=action.actionId,
        actionType=action.actionType,
        scheduledAt=action.scheduledAt,
        waitTime=wait_ms(action.scheduledAt, now),
        delayReason=action.delayReason,
    )


class _UserActionsQuery(ActionFilter):
    """An actions listing bound to its user (its cursor is refused for another user)."""

    userId: str
