"""Routes of /api/v1/sandbox/compliance/flags: list, read, review and resolve flags."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from sandbox_common.http.auth import Caller
from sandbox_common.http.listing import paged
from sandbox_common.http.params import ResourceId
from sandbox_common.ledger import compliance
from sandbox_common.ledger.models import ComplianceFlag, FlagFilter, FlagResolve

router = APIRouter()

FLAGS = "/api/v1/sandbox/compliance/flags"


@router.get(FLAGS, response_model=list[ComplianceFlag])
def list_flags(
    caller: Caller, response: Response, query: Annotated[FlagFilter, Query()]
) -> list[ComplianceFlag]:
    """The sandbox's compliance flags, newest first; cursor in X-Next-Cursor."""
    return paged(compliance.list_flags(caller, query), response)


@router.get(FLAGS + "/{flag_id}", response_model=ComplianceFlag)
def get_flag(flag_id: ResourceId, caller: Caller) -> ComplianceFlag:
    """One compliance flag."""
    return compliance.get_flag(caller, flag_id)


@router.post(FLAGS + "/{flag_id}/review", response_model=ComplianceFlag)
def review_flag(flag_id: ResourceId, caller: Caller) -> ComplianceFlag:
    """Take an open flag into review."""
    return compliance.review_flag(caller, flag_id)


@router.post(FLAGS + "/{flag_id}/resolve", response_model=ComplianceFlag)
def resolve_flag(flag_id: ResourceId, body: FlagResolve, caller: Caller) -> ComplianceFlag:
    """Resolve a flag (approved or rejected); a second resolution is 409."""
    return compliance.resolve_flag(caller, flag_id, body)
