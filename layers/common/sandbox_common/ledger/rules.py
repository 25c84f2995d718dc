"""Transfer and compliance rules: pure functions of the records, no storage, no clock.

Test values work like card networks' test card numbers: a transfer of one of these exact
amounts forces an outcome on purpose, so an integrator can exercise every branch.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from sandbox_common.errors import Conflict, InvalidInput
from sandbox_common.ledger.models import (
    Account,
    ComplianceFlag,
    FlagStatus,
    FlagType,
    Resolution,
    Severity,
    Transaction,
    TransactionStatus,
)


class ForcedOutcome(StrEnum):
    """What a test amount makes happen."""

    DECLINE = "decline"
    PENDING_FOREVER = "pending_forever"
    SANCTIONS_HIT = "sanctions_hit"


TEST_AMOUNTS: dict[Decimal, ForcedOutcome] = {
    Decimal("4000.02"): ForcedOutcome.DECLINE,
    Decimal("4000.05"): ForcedOutcome.PENDING_FOREVER,
    Decimal("4000.13"): ForcedOutcome.SANCTIONS_HIT,
}
TEST_AMOUNT_EFFECTS: dict[ForcedOutcome, str] = {
    ForcedOutcome.DECLINE: "processing fails with failure_reason 'declined'",
    ForcedOutcome.PENDING_FOREVER: "processing leaves the transfer pending, every time",
    ForcedOutcome.SANCTIONS_HIT: (
        "creation raises a critical sanctions flag; processing fails with 'sanctions_hit'"
    ),
}


class FailureReason(StrEnum):
    """Why a transfer failed."""

    INSUFFICIENT_BALANCE = "insufficient_balance"
    ACCOUNT_INACTIVE = "account_inactive"
    DECLINED = "declined"
    SANCTIONS_HIT = "sanctions_hit"
    COMPLIANCE_REJECTED = "compliance_rejected"


def forced_outcome(amount: Decimal) -> ForcedOutcome | None:
    """The outcome a test amount forces, or None for an ordinary amount."""
    # Decimals that are numerically equal hash equal, so "4000.020" finds "4000.02".
    return TEST_AMOUNTS.get(amount)


def check_transfer_parties(source: Account, destination: Account) -> None:
    """Refuse a transfer from an account to itself."""
    if source.id == destination.id:
        raise InvalidInput("A transfer needs two different accounts")


@dataclass(frozen=True)
class FlagDraft:
    """A compliance flag that screening wants raised (the service gives it id and time)."""

    flag_type: FlagType
    severity: Severity
    title: str
    description: str
    risk_score: int
    risk_factors: tuple[str, ...]


def screen_transfer(
    amount: Decimal,
    currency: str,
    source: Account,
    destination: Account,
    *,
    aml_threshold: Decimal,
) -> list[FlagDraft]:
    """The flags a new transfer raises: AML at or above the threshold, sanctions on a hit."""
    drafts: list[FlagDraft] = []
    cross_border = source.country_code != destination.country_code
    if amount >= aml_threshold:
        drafts.append(
            FlagDraft(
                flag_type=FlagType.AML,
                severity=Severity.HIGH if amount >= aml_threshold * 5 else Severity.MEDIUM,
                title="High-value transfer",
                description=(
                    f"Transfer of {amount} {currency} is at or above the AML threshold "
                    f"of {aml_threshold}"
                ),
                risk_score=8 if cross_border else 6,
                risk_factors=("high_value", "cross_border") if cross_border else ("high_value",),
            )
        )
    if forced_outcome(amount) is ForcedOutcome.SANCTIONS_HIT:
        drafts.append(
            FlagDraft(
                flag_type=FlagType.SANCTIONS,
                severity=Severity.CRITICAL,
                title="Sanctions screening hit",
                description="The counterparty matched a sanctions list (sandbox test value)",
                risk_score=10,
                risk_factors=("sanctions_match",),
            )
        )
    return drafts


class ProcessingOutcome(StrEnum):
    """What processing a transfer should do."""

    COMPLETE = "complete"
    FAIL = "fail"
    KEEP_PENDING = "keep_pending"
    ALREADY_FINAL = "already_final"


@dataclass(frozen=True)
class ProcessingDecision:
    """The outcome, and the failure reason when it fails."""

    outcome: ProcessingOutcome
    reason: FailureReason | None = None


def decide_processing(
    transfer: Transaction,
    source: Account | None,
    destination: Account | None,
    flag: ComplianceFlag | None,
) -> ProcessingDecision:
    """Decide what processing ``transfer`` does now; Conflict while its flag is under review."""
    if transfer.status is not TransactionStatus.PENDING:
        return ProcessingDecision(ProcessingOutcome.ALREADY_FINAL)
    forced = forced_outcome(transfer.amount)
    if forced is ForcedOutcome.PENDING_FOREVER:
        return ProcessingDecision(ProcessingOutcome.KEEP_PENDING)
    if forced is ForcedOutcome.DECLINE:
        return _fail(FailureReason.DECLINED)
    if forced is ForcedOutcome.SANCTIONS_HIT:
        return _fail(FailureReason.SANCTIONS_HIT)
    if flag is not None and flag.status is not FlagStatus.RESOLVED:
        raise Conflict(
            f"Transfer {transfer.id} is held for compliance review: resolve flag {flag.id} first"
        )
    if flag is not None and flag.resolution is Resolution.REJECTED:
        return _fail(FailureReason.COMPLIANCE_REJECTED)
    if source is None or destination is None or not source.is_active or not destination.is_active:
        return _fail(FailureReason.ACCOUNT_INACTIVE)
    if source.balance(transfer.currency) < transfer.amount:
        return _fail(FailureReason.INSUFFICIENT_BALANCE)
    return ProcessingDecision(ProcessingOutcome.COMPLETE)


def _fail(reason: FailureReason) -> ProcessingDecision:
    return ProcessingDecision(ProcessingOutcome.FAIL, reason)


def next_flag_status(flag: ComplianceFlag, wanted: FlagStatus) -> FlagStatus:
    """The flag's status after moving to ``wanted``; Conflict for a move the workflow forbids.

    open -> in_review -> resolved, and open -> resolved directly; resolved is final.
    """
    allowed = {
        FlagStatus.OPEN: {FlagStatus.IN_REVIEW, FlagStatus.RESOLVED},
        FlagStatus.IN_REVIEW: {FlagStatus.RESOLVED},
        FlagStatus.RESOLVED: set(),
    }
    if wanted not in allowed[flag.status]:
        raise Conflict(f"Flag {flag.id} is {flag.status.value}; it cannot become {wanted.value}")
    return wanted
