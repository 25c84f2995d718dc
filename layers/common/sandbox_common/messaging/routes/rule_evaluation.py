"""Rule evaluation for one message: every rule of the sandbox, whether it applies, why not."""

from __future__ import annotations

from fastapi import APIRouter

from sandbox_common.http.auth import Caller
from sandbox_common.http.params import ResourceId
from sandbox_common.messaging.message_models import RulesEvaluation

# Each route imports its use cases when first called, not at cold start: they pull in
# storage, users and the audit trail, and the routes need only the request/answer models.
router = APIRouter(prefix="/api/sandbox", tags=["rules"])


@router.post("/evaluate-rules/{messageId}", response_model=RulesEvaluation)
def evaluate_rules(messageId: ResourceId, caller: Caller) -> RulesEvaluation:
    """Every rule of the sandbox's rule set and whether it applies to the message."""
    from sandbox_common.messaging import rule_evaluation

    return rule_evaluation.evaluate_rules(caller, messageId)
