"""Transfer and compliance rules, as plain functions of the records."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from sandbox_common.errors import Conflict, InvalidInput
from sandbox_common.ledger.models import (
    Account,
    ComplianceFlag,
    FlagStatus,
    FlagType,
    Resolution,
    Severity,
    Transaction,
)
from sandbox_common.ledger.rules import (
    FailureReason,
    ForcedOutcome,
    ProcessingOutcome,
    check_transfer_parties,
    decide_processing,
    forced_outcome,
    next_flag_status,
    screen_transfer,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def make_account(**fields: Any) -> Account:
    return Account.model_validate(
        {
            "id": "acc-1",
            "account_id": "0.0.12345",
            "network": "hedera",
            "account_type": "user",
            "country_code": "NG",
            "region": "Lagos",
            "holder_name": "Ada Obi",
            "balances": {"USDC": "100.00"},
            "created_at": NOW,
            **fields,
        }
    )


def make_transfer(**fields: Any) -> Transaction:
    return Transaction.model_validate(
        {
            "id": "txn-1",
            "from_account_id": "acc-1",
            "to_account_id": "acc-2",
            "amount": "10.00",
            "currency": "USDC",
            "transaction_type": "transfer",
            "status": "pending",
            "from_country_code": "NG",
            "to_country_code": "KE",
            "description": "test",
            "created_at": NOW,
            **fields,
        }
    )


def make_flag(**fields: Any) -> ComplianceFlag:
    return ComplianceFlag.model_validate(
        {
            "id": "flag-1",
            "flag_type": "aml",
            "severity": "medium",
            "status": "open",
            "title": "t",
            "description": "d",
            "account_id": "acc-1",
            "risk_score": 5,
            "created_at": NOW,
            **fields,
        }
    )


SOURCE = make_account()
TARGET = make_account(id="acc-2", country_code="KE")


def test_enough_balance_completes():
    decision = decide_processing(make_transfer(), SOURCE, TARGET, None)
    assert decision.outcome is ProcessingOutcome.COMPLETE


def test_exact_balance_is_enough_and_a_cent_more_is_not():
    assert decide_processing(make_transfer(amount="100.00"), SOURCE, TARGET, None).outcome is (
        ProcessingOutcome.COMPLETE
    )
    decision = decide_processing(make_transfer(amount="100.01"), SOURCE, TARGET, None)
    assert decision.reason is FailureReason.INSUFFICIENT_BALANCE


def test_a_currency_never_held_is_insufficient():
    decision = decide_processing(make_transfer(currency="KES"), SOURCE, TARGET, None)
    assert decision.reason is FailureReason.INSUFFICIENT_BALANCE


@pytest.mark.parametrize("which", ["source", "target"])
def test_an_inactive_account_fails_the_transfer(which):
    inactive = make_account(is_active=False)
    source, target = (inactive, TARGET) if which == "source" else (SOURCE, inactive)
    decision = decide_processing(make_transfer(), source, target, None)
    assert decision.reason is FailureReason.ACCOUNT_INACTIVE


def test_a_settled_transfer_is_left_as_it_is():
    done = make_transfer(status="completed")
    assert decide_processing(done, SOURCE, TARGET, None).outcome is ProcessingOutcome.ALREADY_FINAL


@pytest.mark.parametrize("status", [FlagStatus.OPEN, FlagStatus.IN_REVIEW])
def test_a_flag_under_review_holds_the_transfer(status):
    with pytest.raises(Conflict, match="held for compliance review"):
        decide_processing(make_transfer(), SOURCE, TARGET, make_flag(status=status))


def test_an_approved_flag_releases_and_a_rejected_one_fails():
    approved = make_flag(status="resolved", resolution=Resolution.APPROVED)
    rejected = make_flag(status="resolved", resolution=Resolution.REJECTED)
    assert decide_processing(make_transfer(), SOURCE, TARGET, approved).outcome is (
        ProcessingOutcome.COMPLETE
    )
    assert decide_processing(make_transfer(), SOURCE, TARGET, rejected).reason is (
        FailureReason.COMPLIANCE_REJECTED
    )


@pytest.mark.parametrize(
    ("amount", "outcome", "reason"),
    [
        ("4000.02", ProcessingOutcome.FAIL, FailureReason.DECLINED),
        ("4000.020", ProcessingOutcome.FAIL, FailureReason.DECLINED),
        ("4000.05", ProcessingOutcome.KEEP_PENDING, None),
        ("4000.13", ProcessingOutcome.FAIL, FailureReason.SANCTIONS_HIT),
    ],
)
def test_test_amounts_force_their_outcome_even_with_funds(amount, outcome, reason):
    rich = make_account(balances={"USDC": "1000000"})
    decision = decide_processing(make_transfer(amount=amount), rich, TARGET, None)
    assert (decision.outcome, decision.reason) == (outcome, reason)


def test_ordinary_amounts_force_nothing():
    assert forced_outcome(Decimal("4000.03")) is None
    assert forced_outcome(Decimal("4000.13")) is ForcedOutcome.SANCTIONS_HIT


def test_screening_flags_at_the_threshold_not_below():
    threshold = Decimal("10000")
    assert (
        screen_transfer(Decimal("9999.9999999"), "USDC", SOURCE, TARGET, aml_threshold=threshold)
        == []
    )
    (draft,) = screen_transfer(Decimal("10000"), "USDC", SOURCE, TARGET, aml_threshold=threshold)
    assert draft.flag_type is FlagType.AML and "cross_border" in draft.risk_factors


def test_very_large_transfers_are_high_severity():
    (draft,) = screen_transfer(
        Decimal("50000"), "USDC", SOURCE, TARGET, aml_threshold=Decimal("10000")
    )
    assert draft.severity is Severity.HIGH


def test_a_sanctions_test_amount_raises_a_critical_flag():
    (draft,) = screen_transfer(
        Decimal("4000.13"), "USDC", SOURCE, TARGET, aml_threshold=Decimal("10000")
    )
    assert draft.flag_type is FlagType.SANCTIONS and draft.severity is Severity.CRITICAL


def test_a_transfer_to_oneself_is_invalid():
    with pytest.raises(InvalidInput):
        check_transfer_parties(SOURCE, make_account())


@pytest.mark.parametrize(
    ("current", "wanted", "allowed"),
    [
        (FlagStatus.OPEN, FlagStatus.IN_REVIEW, True),
        (FlagStatus.OPEN, FlagStatus.RESOLVED, True),
        (FlagStatus.IN_REVIEW, FlagStatus.RESOLVED, True),
        (FlagStatus.IN_REVIEW, FlagStatus.IN_REVIEW, False),
        (FlagStatus.RESOLVED, FlagStatus.RESOLVED, False),
        (FlagStatus.RESOLVED, FlagStatus.IN_REVIEW, False),
    ],
)
def test_flag_workflow_allows_only_forward_moves(current, wanted, allowed):
    flag = make_flag(status=current)
    if allowed:
        assert next_flag_status(flag, wanted) is wanted
    else:
        with pytest.raises(Conflict):
            next_flag_status(flag, wanted)
