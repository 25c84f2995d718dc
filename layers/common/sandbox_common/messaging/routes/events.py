"""Events: process one (rules evaluated at its moment and zone) or trigger one now (use
cases are imported on first call: cold start pays only for the models)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from sandbox_common.http.auth import Caller
from sandbox_common.http.openapi import also_answers
from sandbox_common.messaging.behavior_models import (
    EventProcess,
    EventProcessed,
    EventTrigger,
    EventTriggered,
)
from sandbox_common.messaging.routes.signals import IdempotencyKey, mark_replay, replayed

router = APIRouter(prefix="/api/sandbox", tags=["events"])


# The user named in the body may not be in the sandbox: 404.
@router.post(
    "/events/process",
    status_code=201,
    response_model=EventProcessed,
    responses=replayed(EventProcessed),
    openapi_extra=also_answers(404),
)
def process_event(
    body: EventProcess, caller: Caller, response: Response, idempotency_key: IdempotencyKey = None
) -> EventProcessed:
    """Evaluate the rules for an event at its ``timestamp`` in ``timezone`` (defaults: now,
    the user's zone); each rule that applies creates a pending decision."""
    from sandbox_common.messaging import signals

    outcome = signals.record_signal(
        caller,
        user_id=body.userId,
        signal_type=body.type,
        occurred_at=body.timestamp,
        timezone=body.timezone,
        idempotency_key=idempotency_key,
    )
    mark_replay(response, outcome.replayed)
    return signals.processed_answer(outcome)


@router.post(
    "/events",
    status_code=201,
    response_model=EventTriggered,
    responses=replayed(EventTriggered),
    openapi_extra=also_answers(404),
)
def trigger_event(
    body: EventTrigger, caller: Caller, response: Response, idempotency_key: IdempotencyKey = None
) -> EventTriggered:
    """Trigger an event now: rules evaluated, decisions created."""
    from sandbox_common.messaging import signals

    outcome = signals.record_signal(
        caller,
        user_id=body.userId,
        signal_type=body.eventType,
        metadata=body.metadata,
        type_field="eventType",
        idempotency_key=idempotency_key,
    )
    mark_replay(response, outcome.replayed)
    return signals.triggered_answer(outcome)
