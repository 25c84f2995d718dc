"""Audit: the sandbox's trail, or one user's, oldest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from sandbox_common.http.auth import Caller
from sandbox_common.http.listing import paged
from sandbox_common.http.params import ResourceId
from sandbox_common.messaging import audit
from sandbox_common.messaging.audit import AuditEntry, AuditFilter, AuditTimeFilter

router = APIRouter(prefix="/api/sandbox", tags=["audit"])


@router.get("/audit", response_model=list[AuditEntry])
def list_audit(
    caller: Caller, response: Response, query: Annotated[AuditFilter, Query()]
) -> list[AuditEntry]:
    """Every entry (a JSON list), filtered by ``userId``, ``type``, ``since``, ``until``;
    cursor in X-Next-Cursor."""
    return paged(audit.list_audit(caller, query), response)


@router.get("/audit/{userId}", response_model=list[AuditEntry])
def list_user_audit(
    userId: ResourceId,
    caller: Caller,
    response: Response,
    query: Annotated[AuditTimeFilter, Query()],
) -> list[AuditEntry]:
    """The user's entries (a JSON list), filtered by ``type``, ``since``, ``until``."""
    return paged(audit.list_user_audit(caller, userId, query), response)
