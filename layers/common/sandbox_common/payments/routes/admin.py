"""Routes of /admin/credits: grant credits and read a customer's credit ledger (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from sandbox_common.http.auth import Admin
from sandbox_common.http.envelope import DataEnvelope
from sandbox_common.http.listing import ListingQuery, paged
from sandbox_common.payments import credits
from sandbox_common.payments.models import CreditEntry, CreditGrantResult, CreditsGrant
from sandbox_common.sandboxes.models import SANDBOX_ID_PATTERN

router = APIRouter(tags=["payments"])

CREDITS = "/admin/credits"
CustomerIdPath = Annotated[str, Path(pattern=SANDBOX_ID_PATTERN)]


@router.post(CREDITS, response_model=DataEnvelope[CreditGrantResult])
def grant_credits(body: CreditsGrant, caller: Admin) -> DataEnvelope[CreditGrantResult]:
    """Add credits to a customer (admin); answers the new balance."""
    return DataEnvelope(data=credits.grant_credits(caller, body))


@router.get(CREDITS + "/{customerId}/ledger", response_model=list[CreditEntry])
def list_ledger(
    customerId: CustomerIdPath,
    caller: Admin,
    response: Response,
    query: Annotated[ListingQuery, Query()],
) -> list[CreditEntry]:
    """A customer's grants and charges, newest first; next page's cursor in X-Next-Cursor."""
    return paged(credits.list_ledger(caller, customerId, query), response)
