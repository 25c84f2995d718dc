"""Decisions: a user's, pending unless asked otherwise."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from sandbox_common.http.auth import Caller
from sandbox_common.http.listing import NEXT_CURSOR_HEADER
from sandbox_common.http.params import ResourceId
from sandbox_common.messaging.behavior_models import DecisionFilter, UserDecisions

router = APIRouter(prefix="/api/sandbox", tags=["decisions"])


@router.get("/decisions/{userId}", response_model=UserDecisions)
def list_decisions(
    userId: ResourceId,
    caller: Caller,
    response: Response,
    query: Annotated[DecisionFilter, Query()],
) -> UserDecisions:
    """The user's decisions, oldest first (``status`` defaults to pending); cursor in
    X-Next-Cursor."""
    from sandbox_common.messaging import decisions

    answer, cursor = decisions.list_decisions(caller, userId, query)
    if cursor:
        response.headers[NEXT_CURSOR_HEADER] = cursor
    return answer
