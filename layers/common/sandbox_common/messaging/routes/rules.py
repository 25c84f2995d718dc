"""Rules: the ones the sandbox runs, and replacing them (the rules engine is imported on
first call: cold start pays only for the models)."""

from __future__ import annotations

from fastapi import APIRouter

from sandbox_common.http.auth import Caller
from sandbox_common.messaging.behavior_models import Rules, RuleSetReplace

router = APIRouter(prefix="/api/sandbox", tags=["rules"])


@router.get("/rules", response_model=Rules)
def list_rules(caller: Caller) -> Rules:
    """The sandbox's rules in priority order (the defaults until it replaces them)."""
    from sandbox_common.messaging import rule_sets

    return rule_sets.list_rules(caller)


@router.put("/rules", response_model=Rules)
def replace_rules(body: RuleSetReplace, caller: Caller) -> Rules:
    """Replace the sandbox's rules (triggers from the signal catalog, known actions)."""
    from sandbox_common.messaging import rule_sets

    return rule_sets.replace_rules(caller, body)
