"""Routes of /api/v1/sandbox/transfers: create (idempotently), read and settle transfers,
and the amounts that force an outcome."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response

from sandbox_common.http.auth import Caller
from sandbox_common.http.openapi import also_answers
from sandbox_common.http.params import ResourceId
from sandbox_common.ledger import transfers
from sandbox_common.ledger.models import Transaction, TransferCreate
from sandbox_common.ledger.outcome_amounts import OutcomeAmount, outcome_amounts

router = APIRouter()

TRANSFERS = "/api/v1/sandbox/transfers"

_REPLAYED_TRANSFER = {
    "model": Transaction,
    "description": "A retry with the same Idempotency-Key: the transfer it created first",
    "headers": {"Idempotent-Replayed": {"schema": {"type": "string", "enum": ["true"]}}},
}


# Declared before /transfers/{transfer_id}, which would otherwise take "test-values" as an id.
@router.get(TRANSFERS + "/test-values", response_model=list[OutcomeAmount])
def list_test_values(caller: Caller) -> list[OutcomeAmount]:
    """The amounts that force an outcome (like card networks' test numbers)."""
    return outcome_amounts(caller)


@router.post(
    TRANSFERS,
    status_code=201,
    response_model=Transaction,
    responses={200: _REPLAYED_TRANSFER},
    openapi_extra=also_answers(404),  # an account named in the body is not in the sandbox
)
def create_transfer(
    body: TransferCreate,
    caller: Caller,
    response: Response,
    idempotency_key: Annotated[
        str | None, Header(pattern=transfers.IDEMPOTENCY_KEY_PATTERN)
    ] = None,
) -> Transaction:
    """A pending transfer; a retry with the same Idempotency-Key returns the first (200)."""
    transfer, created = transfers.create_transfer(caller, body, idempotency_key=idempotency_key)
    if not created:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return transfer


@router.get(TRANSFERS + "/{transfer_id}", response_model=Transaction)
def get_transfer(transfer_id: ResourceId, caller: Caller) -> Transaction:
    """One transfer."""
    return transfers.get_transfer(caller, transfer_id)


@router.post(TRANSFERS + "/{transfer_id}/process", response_model=Transaction)
def process_transfer(transfer_id: ResourceId, caller: Caller) -> Transaction:
    """Settle a pending transfer: completed (balances move) or failed with a reason."""
    return transfers.process_transfer(caller, transfer_id)
