"""Orchestration: execute a user's pending decisions."""

from __future__ import annotations

from fastapi import APIRouter

from sandbox_common.http.auth import Caller
from sandbox_common.http.params import ResourceId
from sandbox_common.messaging.behavior_models import Orchestration

router = APIRouter(prefix="/api/sandbox", tags=["orchestration"])


@router.post("/orchestrate/{userId}", response_model=Orchestration)
def orchestrate(userId: ResourceId, caller: Caller) -> Orchestration:
    """Execute the user's pending decisions (at most 100 a call; ``remaining`` says how many
    wait): each becomes an action, run now or scheduled."""
    from sandbox_common.messaging import decisions

    return decisions.orchestrate(caller, userId)
