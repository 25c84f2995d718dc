"""Signals: the catalog of signal types, and recording a signal (use cases are imported on
first call: cold start pays only for the models)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Response

from sandbox_common.http.auth import Caller
from sandbox_common.http.openapi import also_answers
from sandbox_common.messaging.behavior_models import (
    IDEMPOTENCY_KEY_PATTERN,
    SignalCreate,
    SignalRecorded,
)
from sandbox_common.messaging.catalog import SignalCatalog, signal_catalog

router = APIRouter(prefix="/api/sandbox", tags=["signals"])

# A retry with the same Idempotency-Key: the first request's records, not new ones.
IdempotencyKey = Annotated[str | None, Header(pattern=IDEMPOTENCY_KEY_PATTERN)]
REPLAYED_HEADER = "Idempotent-Replayed"


def replayed(model: type[Any]) -> dict[int | str, dict[str, Any]]:
    """The 200 a retried request answers (with the first answer's records)."""
    return {
        200: {
            "model": model,
            "description": "A retry with the same Idempotency-Key: what the first request made",
            "headers": {REPLAYED_HEADER: {"schema": {"type": "string", "enum": ["true"]}}},
        }
    }


def mark_replay(response: Response, was_replayed: bool) -> None:
    """A replayed answer is a 200 that says so; a new one keeps its 201."""
    if was_replayed:
        response.status_code = 200
        response.headers[REPLAYED_HEADER] = "true"


@router.get("/signals/catalog", response_model=SignalCatalog)
def get_catalog(caller: Caller) -> SignalCatalog:
    """Every signal type, its event type and the actions the default rules take on it."""
    return signal_catalog()


@router.post(
    "/signals",
    status_code=201,
    response_model=SignalRecorded,
    responses=replayed(SignalRecorded),
    openapi_extra=also_answers(404),  # the user named in the body is not in the sandbox
)
def create_signal(
    body: SignalCreate, caller: Caller, response: Response, idempotency_key: IdempotencyKey = None
) -> SignalRecorded:
    """Record a signal; the rules that apply create pending decisions."""
    from sandbox_common.messaging import signals

    outcome = signals.record_signal(
        caller,
        user_id=body.userId,
        signal_type=body.type,
        metadata=body.metadata,
        idempotency_key=idempotency_key,
    )
    mark_replay(response, outcome.replayed)
    return signals.signal_answer(outcome)
