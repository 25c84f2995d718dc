"""``GET /api/v1/sandbox/transfers/test-values``: the documented outcome-forcing amounts."""

from __future__ import annotations

from pydantic import BaseModel

from sandbox_common.auth import AuthContext, Permission
from sandbox_common.ledger.models import Money
from sandbox_common.ledger.rules import TEST_AMOUNT_EFFECTS, TEST_AMOUNTS, ForcedOutcome


class OutcomeAmount(BaseModel):
    """One test amount and what it does."""

    amount: Money
    outcome: ForcedOutcome
    effect: str


def outcome_amounts(caller: AuthContext) -> list[OutcomeAmount]:
    """Every test amount (any currency), in amount order."""
    caller.require(Permission.READ)
    return [
        OutcomeAmount(amount=amount, outcome=outcome, effect=TEST_AMOUNT_EFFECTS[outcome])
        for amount, outcome in sorted(TEST_AMOUNTS.items())
    ]
