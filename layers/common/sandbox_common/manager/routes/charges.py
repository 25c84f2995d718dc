"""Routes of the charge history: the caller's own sandbox's, and any sandbox's (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from sandbox_common.http.auth import Admin, Caller
from sandbox_common.http.listing import ListingQuery, paged
from sandbox_common.manager import charges
from sandbox_common.manager.job_models import ChargeRecord
from sandbox_common.sandboxes.models import SANDBOX_ID_PATTERN

router = APIRouter()


@router.get("/api/v1/sandbox/charges", response_model=list[ChargeRecord])
def own_charges(
    caller: Caller, response: Response, query: Annotated[ListingQuery, Query()]
) -> list[ChargeRecord]:
    """The periods this sandbox was charged for, newest first; next page in X-Next-Cursor."""
    return paged(charges.own_charges(caller, query), response)


@router.get("/admin/sandboxes/{sandboxId}/charges", response_model=list[ChargeRecord])
def sandbox_charges(
    sandboxId: Annotated[str, Path(pattern=SANDBOX_ID_PATTERN)],
    caller: Admin,
    response: Response,
    query: Annotated[ListingQuery, Query()],
) -> list[ChargeRecord]:
    """Any sandbox's charges, newest first (admin); next page in X-Next-Cursor."""
    return paged(charges.sandbox_charges(caller, sandboxId, query), response)
