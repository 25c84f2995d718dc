"""Decisions: listing a user's, and orchestration, which executes the pending ones.

Orchestration turns each pending decision into an action (run at once, or pending until
its due time: see ``actions.plan_action``). A decision moves pending -> executed by a write
conditional on it still being pending, in one transaction with its action and audit
entries, so two concurrent orchestrations never execute one decision twice. One call
executes at most ``MAX_ORCHESTRATED`` decisions, oldest first, and says how many remain.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox_common import providers
from sandbox_common.auth import AuthContext, Permission
from sandbox_common.messaging.actions import MAX_COUNTED, plan_action
from sandbox_common.messaging.audit import AuditType, new_audit_entry
from sandbox_common.messaging.behavior_models import (
    Action,
    ActionStatus,
    Decision,
    DecisionFilter,
    DecisionStatus,
    ExecutedDecision,
    Orchestration,
    UserDecisions,
)
from sandbox_common.messaging.users import MessagingUser, get_user
from sandbox_common.sandboxes.data_scope import (
    data_expiry,
    data_scope,
    page_cursor,
    page_limit,
    page_start,
)
from sandbox_common.storage.sandbox_items import DataScope, Kind

MAX_ORCHESTRATED = 100
# Decisions written per transaction: four writes each, plus the count, within DynamoDB's 100.
BATCH = 20


def list_decisions(
    caller: AuthContext, user_id: str, where: DecisionFilter
) -> tuple[UserDecisions, str | None]:
    """A page of a user's decisions (pending unless ``where.status`` says), oldest first,
    and the next page's cursor; 404 for a user the sandbox does not hold."""
    caller.require(Permission.READ)
    _, scope = data_scope(caller)
    user = get_user(scope, user_id)
    query = _UserDecisionsQuery(**where.model_dump(), userId=user.id)
    page = providers.decisions_repository().decisions_page(
        scope,
        user.id,
        where.status,
        limit=page_limit(where.limit),
        after=page_start(scope, Kind.DECISION, query),
    )
    answer = UserDecisions(userId=user.id, status=where.status, decisions=page.items)
    return answer, page_cursor(scope, Kind.DECISION, query, page.next_position)


def orchestrate(caller: AuthContext, user_id: str) -> Orchestration:
    """Execute a user's pending decisions (oldest first, at most ``MAX_ORCHESTRATED``);
    404 for an unknown user. None pending: nothing executed, an empty list."""
    caller.require(Permission.WRITE)
    _, scope = data_scope(caller)
    user = get_user(scope, user_id)
    repository = providers.decisions_repository()
    now = providers.clock().now()
    page = repository.decisions_page(
        scope, user.id, DecisionStatus.PENDING, limit=MAX_ORCHESTRATED, after=None
    )
    executed: list[ExecutedDecision] = []
    for start in range(0, len(page.items), BATCH):
        batch = [_execution(scope, user, d, now) for d in page.items[start : start + BATCH]]
        for decision, action, _ in _store(scope, batch):
            executed.append(
                ExecutedDecision(
                    decisionId=decision.decisionId,
                    type=decision.type,
                    reason=decision.reason,
                    executedAt=now,
                    actionId=action.actionId,
                    actionStatus=action.status,
                    scheduledAt=action.scheduledAt,
                    delayReason=action.delayReason,
                )
            )
    remaining = 0
    if page.next_position is not None:
        remaining = repository.count_pending(scope, Kind.DECISION, user.id, at_most=MAX_COUNTED)
    message = f"Executed {len(executed)} decision(s)"
    if remaining:
        message += f"; {remaining} still pending, orchestrate again"
    return Orchestration(
        userId=user.id,
        executed=len(executed),
        actions=executed,
        remaining=remaining,
        message=message,
    )


Execution = tuple[Decision, Action, list[dict[str, Any]]]


def _store(scope: DataScope, batch: list[Execution]) -> list[Execution]:
    """Write a batch of executions in one transaction; when a concurrent orchestration
    executed one of them first, write the others one by one. Returns the ones written."""
    from sandbox_common.storage.decisions_repository import AlreadyDone

    repository = providers.decisions_repository()
    expires_at = data_expiry()
    try:
        repository.execute_decisions(scope, batch, expires_at=expires_at)
        return batch
    except AlreadyDone:
        pass
    written = []
    for execution in batch:
        try:
            repository.execute_decisions(scope, [execution], expires_at=expires_at)
        except AlreadyDone:
            continue  # a concurrent orchestration executed it
        written.append(execution)
    return written


def _execution(
    scope: DataScope, user: MessagingUser, decision: Decision, now: datetime
) -> Execution:
    """What executing ``decision`` writes: the decision, its action, their audit entries."""
    from sandbox_common.storage.audit_repository import audit_put

    action, why = plan_action(decision, user, now)
    about = {
        "decisionId": decision.decisionId,
        "ruleId": decision.ruleId,
        "actionId": action.actionId,
        "actionType": action.actionType,
        "channel": action.channel,
    }
    entries = [
        new_audit_entry(
            AuditType.DECISION_EXECUTED,
            user.id,
            now,
            status=DecisionStatus.EXECUTED.value,
            details={**about, "confidence": decision.confidence},
        ),
        new_audit_entry(
            AuditType.ACTION_EXECUTED
            if action.status is ActionStatus.EXECUTED
            else AuditType.ACTION_DELAYED,
            user.id,
            now,
            status=action.status.value,
            details={**about, **why},
        ),
    ]
    table = providers.settings().data_table
    expires_at = data_expiry()
    return decision, action, [audit_put(table, scope, entry, expires_at) for entry in entries]


class _UserDecisionsQuery(DecisionFilter):
    """A decisions listing bound to its user (its cursor is refused for another user)."""

    userId: str
