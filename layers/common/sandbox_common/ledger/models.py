"""Ledger models: the domain records (stored and returned as is) and the request bodies.

Field names are the fintech sandbox's public ones (accounts, transactions, compliance records); the
extra fields a real ledger needs (balances, failure reasons, verification) are additions.
Money is ``Decimal`` everywhere and leaves the API as a string, so nothing is ever a float.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from sandbox_common.inputs import Instant, SmallJsonObject
from sandbox_common.ledger.types import (
    COUNTRIES,
    CURRENCIES,
    DEFAULT_COUNTRIES,
    MAX_AMOUNT,
    AccountRef,
    CountryCode,
    CurrencyCode,
    Environment,
    Money,
    PositiveAmount,
)
from sandbox_common.pagination import ListingQuery

__all__ = [
    "COUNTRIES",
    "CURRENCIES",
    "DEFAULT_COUNTRIES",
    "MAX_AMOUNT",
    "AccountRef",
    "CountryCode",
    "CurrencyCode",
    "Environment",
    "Money",
    "ListingQuery",
    "PositiveAmount",
]


class Network(StrEnum):
    """The ledger an account lives on."""

    STELLAR = "stellar"
    HEDERA = "hedera"


class AccountType(StrEnum):
    """Who holds the account."""

    USER = "user"
    BUSINESS = "business"
    MERCHANT = "merchant"


class VerificationStatus(StrEnum):
    """KYC state of an account (``POST /accounts/{id}/verify``)."""

    UNVERIFIED = "unverified"
    VERIFIED = "verified"


class TransactionType(StrEnum):
    """What a transaction is; a transfer made through the API is a ``transfer``."""

    TRANSFER = "transfer"
    PAYMENT = "payment"
    REMITTANCE = "remittance"


class TransactionStatus(StrEnum):
    """A transaction is pending until processed, then completed or failed."""

    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"


class FlagType(StrEnum):
    """What a compliance flag is about."""

    AML = "aml"
    KYC = "kyc"
    SANCTIONS = "sanctions"
    RISK = "risk"


class Severity(StrEnum):
    """How bad a compliance flag is."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class FlagStatus(StrEnum):
    """A flag's workflow: open -> in_review -> resolved (resolved is final)."""

    OPEN = "open"
    IN_REVIEW = "in_review"
    RESOLVED = "resolved"


class Resolution(StrEnum):
    """How a resolved flag was decided; a rejected AML flag fails its transfer."""

    APPROVED = "approved"
    REJECTED = "rejected"


class Account(BaseModel):
    """A ledger account in one sandbox (with its balances and verification)."""

    id: str
    account_id: str
    network: Network
    environment: Environment = Environment.SANDBOX
    account_type: AccountType
    country_code: str
    region: str
    holder_name: str
    metadata: dict[str, Any] = Field(default_factory=dict)
    balances: dict[str, Money] = Field(default_factory=dict)
    is_active: bool = True
    verification_status: VerificationStatus = VerificationStatus.UNVERIFIED
    verified_at: datetime | None = None
    created_at: datetime
    updated_at: datetime | None = None

    def balance(self, currency: str) -> Decimal:
        """The account's balance in ``currency`` (zero when it never held any)."""
        return self.balances.get(currency, Decimal(0))


class Transaction(BaseModel):
    """A movement of money between two accounts of the sandbox, and its outcome."""

    id: str
    from_account_id: str
    to_account_id: str
    amount: Money
    currency: str
    transaction_type: TransactionType
    status: TransactionStatus
    from_country_code: str
    to_country_code: str
    description: str
    metadata: dict[str, Any] = Field(default_factory=dict)
    failure_reason: str | None = None
    compliance_flag_id: str | None = None
    created_at: datetime
    updated_at: datetime | None = None
    completed_at: datetime | None = None


class ComplianceFlag(BaseModel):
    """A compliance record and, once decided, its resolution."""

    id: str
    flag_type: FlagType
    severity: Severity
    status: FlagStatus
    title: str
    description: str
    account_id: str
    transaction_id: str | None = None
    evidence: dict[str, Any] = Field(default_factory=dict)
    risk_score: int = Field(ge=1, le=10)
    resolution: Resolution | None = None
    resolution_notes: str | None = None
    created_at: datetime
    updated_at: datetime | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None


# ------------------------------------------------------------------ requests


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AccountCreate(_Request):
    """``POST /api/v1/sandbox/accounts``: a new account, optionally funded with test money."""

    network: Network = Network.STELLAR
    account_type: AccountType = AccountType.USER
    country_code: CountryCode
    region: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    holder_name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
        | None
    ) = None
    environment: Environment = Environment.SANDBOX
    opening_balances: dict[CurrencyCode, PositiveAmount] = Field(default_factory=dict)
    # Stored in the account and returned with it: depth and size are bounded.
    metadata: SmallJsonObject = Field(default_factory=dict)

    @field_validator("metadata")
    @classmethod
    def _small_metadata(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(value) > 20:
            raise ValueError("metadata holds at most 20 keys")
        return value


class TransferCreate(_Request):
    """``POST /api/v1/sandbox/transfers``: move ``amount`` of ``currency`` between accounts."""

    from_account_id: AccountRef
    to_account_id: AccountRef
    amount: PositiveAmount
    currency: CurrencyCode
    description: Annotated[str, StringConstraints(max_length=200)] | None = None

    @field_validator("amount", mode="before")
    @classmethod
    def _no_floats_in_text(cls, value: object) -> object:
        # Booleans are ints to Python; "true" is not an amount.
        if isinstance(value, bool):
            raise ValueError("amount must be a number")
        return value


class FlagResolve(_Request):
    """``POST /api/v1/sandbox/compliance/flags/{id}/resolve``."""

    resolution: Resolution
    notes: Annotated[str, StringConstraints(max_length=500)] | None = None


# ------------------------------------------------------------------ listings

# Listings take their query string as one model each (FastAPI query parameter models):
# unknown parameters are refused, and a handler builds one field instead of seven. Which
# filters an index answers is storage's concern (``storage.sandbox_items.LISTINGS``); ``matches``
# is the whole filter, applied to every record a listing reads.


class AccountFilter(ListingQuery):
    """Which accounts a listing returns (every condition optional)."""

    country_code: CountryCode | None = None
    account_type: AccountType | None = None
    network: Network | None = None
    is_active: bool | None = None

    def matches(self, account: Account) -> bool:
        """True if ``account`` passes every condition given."""
        return _all_equal(self, account, ("country_code", "account_type", "network", "is_active"))


class TransactionFilter(ListingQuery):
    """Which transactions a listing returns; ``account_id`` matches either side, and
    ``since``/``until`` bound the creation time inclusively."""

    status: TransactionStatus | None = None
    transaction_type: TransactionType | None = None
    currency: CurrencyCode | None = None
    account_id: AccountRef | None = None
    since: Instant | None = None
    until: Instant | None = None

    @model_validator(mode="after")
    def _ordered(self) -> TransactionFilter:
        if self.since and self.until and self.since > self.until:
            raise ValueError("'since' must not be after 'until'")
        return self

    def matches(self, transaction: Transaction) -> bool:
        """True if ``transaction`` passes every condition given (the time range included)."""
        if self.account_id is not None and self.account_id not in (
            transaction.from_account_id,
            transaction.to_account_id,
        ):
            return False
        if self.since is not None and transaction.created_at < self.since:
            return False
        if self.until is not None and transaction.created_at > self.until:
            return False
        return _all_equal(self, transaction, ("status", "transaction_type", "currency"))


class FlagFilter(ListingQuery):
    """Which compliance flags a listing returns."""

    status: FlagStatus | None = None
    flag_type: FlagType | None = None
    severity: Severity | None = None
    account_id: AccountRef | None = None

    def matches(self, flag: ComplianceFlag) -> bool:
        """True if ``flag`` passes every condition given."""
        return _all_equal(self, flag, ("status", "flag_type", "severity", "account_id"))


def _all_equal(where: BaseModel, record: BaseModel, names: tuple[str, ...]) -> bool:
    return all(
        getattr(record, name) == wanted
        for name in names
        if (wanted := getattr(where, name)) is not None
    )
