"""Routes of the payment server's interface: a customer's credits, and charging them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response

from sandbox_common.http.auth import Admin
from sandbox_common.http.envelope import DataEnvelope
from sandbox_common.http.openapi import also_answers
from sandbox_common.payments import credits
from sandbox_common.payments.models import (
    IDEMPOTENCY_KEY_PATTERN,
    CreditCharge,
    CreditsConsume,
    CustomerCredits,
)
from sandbox_common.sandboxes.models import SANDBOX_ID_PATTERN

router = APIRouter(tags=["payments"])

_CHARGED: dict[str, Any] = {
    "description": "Charged now, or (`Idempotent-Replayed: true`) the first charge of this "
    "Idempotency-Key, which is not charged again",
    "headers": {
        "Idempotent-Replayed": {
            "description": "Present on a repeat of an Idempotency-Key",
            "schema": {"type": "string", "enum": ["true"]},
        }
    },
}


@router.get("/get-credits", response_model=DataEnvelope[CustomerCredits])
def get_credits(
    caller: Admin,
    customer_id: Annotated[str, Query(alias="customerId", pattern=SANDBOX_ID_PATTERN)],
) -> DataEnvelope[CustomerCredits]:
    """A customer's credits, a decimal string (0 for a customer never seen) (admin)."""
    return DataEnvelope(data=credits.get_credits(caller, customer_id))


@router.post(
    "/consume-credits",
    response_model=DataEnvelope[CreditCharge],
    responses={200: _CHARGED},
    openapi_extra=also_answers(402),  # the credits do not cover the amount
)
def consume_credits(
    body: CreditsConsume,
    caller: Admin,
    response: Response,
    idempotency_key: Annotated[str | None, Header(pattern=IDEMPOTENCY_KEY_PATTERN)] = None,
) -> DataEnvelope[CreditCharge]:
    """Charge a customer if the credits cover the amount (admin); a repeat of an
    Idempotency-Key answers the first charge and charges nothing."""
    charge, charged_now = credits.consume_credits(caller, body, idempotency_key=idempotency_key)
    if not charged_now:
        response.headers["Idempotent-Replayed"] = "true"
    return DataEnvelope(data=charge)
