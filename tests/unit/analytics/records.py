"""Factories of ledger records for the analytics tests (unique ids, fixed clock)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sandbox_common.ledger.models import (
    Account,
    AccountType,
    ComplianceFlag,
    FlagStatus,
    FlagType,
    Network,
    Severity,
    Transaction,
    TransactionStatus,
    TransactionType,
    VerificationStatus,
)

NOW = datetime(2026, 11, 22, 15, 30, tzinfo=UTC)
_ids = itertools.count(1)


def tx(
    amount: str | Decimal = "10",
    currency: str = "USDC",
    *,
    status: TransactionStatus = TransactionStatus.COMPLETED,
    kind: TransactionType = TransactionType.TRANSFER,
    at: datetime = NOW - timedelta(hours=1),
    route: tuple[str, str] = ("NG", "KE"),
    metadata: dict[str, Any] | None = None,
) -> Transaction:
    """A transaction between two accounts of ``route``'s countries."""
    return Transaction(
        id=f"tx_{next(_ids)}",
        from_account_id="acc_from",
        to_account_id="acc_to",
        amount=Decimal(amount),
        currency=currency,
        transaction_type=kind,
        status=status,
        from_country_code=route[0],
        to_country_code=route[1],
        description="test",
        metadata=metadata or {},
        created_at=at,
    )


def account(
    country: str = "NG",
    kind: AccountType = AccountType.USER,
    *,
    active: bool = True,
    verified: bool = False,
) -> Account:
    """An account opened long before the windows the tests look at."""
    return Account(
        id=f"acc_{next(_ids)}",
        account_id=f"G{next(_ids)}",
        network=Network.STELLAR,
        account_type=kind,
        country_code=country,
        region="Lagos",
        holder_name="Ada",
        is_active=active,
        verification_status=VerificationStatus.VERIFIED
        if verified
        else VerificationStatus.UNVERIFIED,
        created_at=NOW - timedelta(days=100),
    )


def flag(
    status: FlagStatus = FlagStatus.OPEN,
    kind: FlagType = FlagType.AML,
    at: datetime = NOW - timedelta(hours=1),
) -> ComplianceFlag:
    """A compliance flag raised at ``at``."""
    return ComplianceFlag(
        id=f"flag_{next(_ids)}",
        flag_type=kind,
        severity=Severity.MEDIUM,
        status=status,
        title="Large transfer",
        description="Above threshold",
        account_id="acc_from",
        risk_score=5,
        created_at=at,
    )
