"""Actions: a user's pending ones, and executing the due ones."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from sandbox_common.http.auth import Caller
from sandbox_common.http.listing import NEXT_CURSOR_HEADER
from sandbox_common.http.params import ResourceId
from sandbox_common.messaging.behavior_models import ActionExecution, ActionFilter, UserActions

router = APIRouter(prefix="/api/sandbox", tags=["actions"])


@router.get("/users/{userId}/actions", response_model=UserActions)
def list_actions(
    userId: ResourceId,
    caller: Caller,
    response: Response,
    query: Annotated[ActionFilter, Query()],
) -> UserActions:
    """The user's actions, oldest first (``status`` defaults to pending); cursor in
    X-Next-Cursor."""
    from sandbox_common.messaging import actions

    answer, cursor = actions.list_actions(caller, userId, query)
    if cursor:
        response.headers[NEXT_CURSOR_HEADER] = cursor
    return answer


@router.post("/users/{userId}/execute", response_model=ActionExecution)
def execute_actions(userId: ResourceId, caller: Caller) -> ActionExecution:
    """Run the user's due actions; the others are listed as delayed with their wait."""
    from sandbox_common.messaging import actions

    return actions.execute_actions(caller, userId)
