"""Seeded mock data for a sandbox: accounts, transactions and compliance flags.

Pure: no I/O and no global random state. The same request yields the same records byte for
byte, ids included. Each part (accounts, transactions, flags) draws from its own sub-seed of
the request's seed, so asking for more transactions leaves the accounts as they were.
Timestamps are whole milliseconds (what the API shows), never after the request's anchor.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from random import Random

from sandbox_common.ledger.models import (
    COUNTRIES,
    CURRENCIES,
    DEFAULT_COUNTRIES,
    Account,
    AccountType,
    ComplianceFlag,
    Environment,
    FlagStatus,
    FlagType,
    Network,
    Resolution,
    Severity,
    Transaction,
    TransactionStatus,
    TransactionType,
    VerificationStatus,
)
from sandbox_common.mockdata import places
from sandbox_common.mockdata.addresses import random_hedera_account_id, random_stellar_address
from sandbox_common.mockdata.places import available_locales

__all__ = [
    "FUNDED_ACCOUNTS",
    "GenerationRequest",
    "MockDataSet",
    "available_locales",
    "generate",
    "generate_transactions",
]

# accounts[0:5] back the documented scenarios ({{sandbox_account_1}} ... _5): a 1,000 USDC
# transfer and a 50,000 USDC high-value transfer must succeed from them, in any currency.
FUNDED_ACCOUNTS = 5
FUNDED_BALANCE = Decimal("100000.00")

# The documented distributions of the mock data (status and amount mixes, severities).
AMOUNT_RANGES: tuple[tuple[int, int], ...] = ((10, 10_000), (1_000, 50_000), (10_000, 100_000))
BALANCE_RANGE = (100, 10_000)
ACCOUNT_SCENARIOS = ("normal", "high_risk", "compliance", "analytics")
TRANSACTION_SCENARIOS: dict[TransactionType, tuple[str, ...]] = {
    TransactionType.TRANSFER: ("normal", "high_value", "cross_border"),
    TransactionType.PAYMENT: ("merchant", "recurring", "one_time"),
    TransactionType.REMITTANCE: ("family", "business", "emergency"),
}
SEVERITIES: dict[FlagType, tuple[Severity, ...]] = {
    FlagType.AML: (Severity.MEDIUM, Severity.HIGH),
    FlagType.KYC: (Severity.LOW, Severity.MEDIUM),
    FlagType.SANCTIONS: (Severity.HIGH, Severity.CRITICAL),
    FlagType.RISK: (Severity.LOW, Severity.MEDIUM, Severity.HIGH),
}
RISK_FACTORS = ("high_value", "cross_border", "unusual_pattern")
FAILURE_REASONS = ("insufficient_balance", "declined", "account_inactive", "network_timeout")
# Cumulative status weights: pending .10, completed .85, failed .05.
_PENDING_BELOW, _COMPLETED_BELOW = 0.10, 0.95
ACTIVE_SHARE, VERIFIED_SHARE = 0.95, 0.80

NETWORK_TOKENS = {Network.STELLAR: "XLM", Network.HEDERA: "HBAR"}
# Local currencies that CURRENCIES holds (the other countries' are not ledger currencies).
LOCAL_CURRENCIES = {"NG": "NGN", "KE": "KES", "ZA": "ZAR", "GH": "GHS"}

ACCOUNT_WINDOW = timedelta(days=30)
TRANSACTION_WINDOW = timedelta(days=7)
FLAG_WINDOW = timedelta(days=14)

_ACCOUNT_TYPES = tuple(AccountType)
_TRANSACTION_TYPES = tuple(TransactionType)
_FLAG_TYPES = tuple(FlagType)
_FLAG_STATUSES = tuple(FlagStatus)
_RESOLUTIONS = tuple(Resolution)
_RESOLUTION_NOTES = {
    Resolution.APPROVED: "Sandbox review: activity consistent with the customer profile",
    Resolution.REJECTED: "Sandbox review: activity could not be justified",
}
_FLAG_DESCRIPTIONS = {
    FlagType.AML: "Anti-money-laundering review of the {subject}",
    FlagType.KYC: "Identity verification needed for the {subject}",
    FlagType.SANCTIONS: "Possible sanctions-list match on the {subject}",
    FlagType.RISK: "Unusual risk pattern on the {subject}",
}

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
_MINUTE_MS = 60_000
_DAY_MS = 86_400_000
# An account is at least a minute old, so its verification can come strictly after it.
_MIN_ACCOUNT_AGE_MS = _MINUTE_MS


@dataclass(frozen=True)
class GenerationRequest:
    """What to generate; equal requests give identical data."""

    seed: int
    anchor: datetime
    accounts: int = 100
    transactions: int = 500
    compliance_records: int = 50
    countries: tuple[str, ...] = DEFAULT_COUNTRIES
    environment: Environment = Environment.SANDBOX
    locale: str | None = None
    aml_threshold: Decimal = Decimal("10000")

    def __post_init__(self) -> None:
        if not 0 <= self.seed < 2**63:
            raise ValueError("seed must be in [0, 2**63)")
        _anchor_ms(self.anchor)
        if min(self.accounts, self.transactions, self.compliance_records) < 0:
            raise ValueError("record counts must not be negative")
        if self.transactions and self.accounts < 2:
            raise ValueError("transactions need at least two accounts")
        if self.compliance_records and self.accounts < 1:
            raise ValueError("compliance records need at least one account")
        if not self.countries or not set(self.countries) <= set(COUNTRIES):
            raise ValueError(f"countries must be among {', '.join(COUNTRIES)}")
        if self.locale is not None and self.locale not in available_locales():
            raise ValueError(f"locale must be one of {', '.join(available_locales())}")
        if not self.aml_threshold > 0:
            raise ValueError("aml_threshold must be positive")


@dataclass(frozen=True)
class MockDataSet:
    """The generated records; ``accounts[0]`` is ``{{sandbox_account_1}}``."""

    accounts: list[Account]
    transactions: list[Transaction]
    compliance_flags: list[ComplianceFlag]

    @property
    def record_count(self) -> int:
        """Accounts, transactions and flags together."""
        return len(self.accounts) + len(self.transactions) + len(self.compliance_flags)


def generate(request: GenerationRequest) -> MockDataSet:
    """The accounts, transactions and compliance flags of ``request``, deterministically."""
    anchor_ms = _anchor_ms(request.anchor)
    master = Random(request.seed)
    account_seed, transaction_seed, flag_seed = (master.getrandbits(64) for _ in range(3))
    accounts = _accounts(request, Random(account_seed), anchor_ms)
    transactions = generate_transactions(
        seed=transaction_seed,
        anchor=_at(anchor_ms),
        accounts=accounts,
        count=request.transactions,
        window=TRANSACTION_WINDOW,
    )
    flags, flagged = _flags(request, Random(flag_seed), accounts, transactions, anchor_ms)
    for index, flag_id in flagged.items():
        transactions[index] = transactions[index].model_copy(update={"compliance_flag_id": flag_id})
    return MockDataSet(accounts, transactions, flags)


def generate_transactions(
    *,
    seed: int,
    anchor: datetime,
    accounts: Sequence[Account],
    count: int,
    window: timedelta,
) -> list[Transaction]:
    """More transactions between existing accounts.

    The analytics scenario's 'generate_transaction_data' step; ``window`` is how far before
    ``anchor`` they may start (never before either account was created).
    """
    if count < 0 or window < timedelta(0):
        raise ValueError("count and window must not be negative")
    if count == 0:
        return []
    if len(accounts) < 2:
        raise ValueError("transactions need at least two accounts")
    anchor_ms = _anchor_ms(anchor)
    earliest = anchor_ms - window // _MS
    # Nothing happens to an account before it exists.
    floors = [min(max(_ceil_ms(a.created_at), earliest), anchor_ms) for a in accounts]
    rng = Random(seed)
    return [_transaction(rng, accounts, floors, anchor_ms) for _ in range(count)]


# ------------------------------------------------------------------ accounts


def _accounts(request: GenerationRequest, rng: Random, anchor_ms: int) -> list[Account]:
    taken: set[str] = set()
    oldest = ACCOUNT_WINDOW // _MS
    accounts = []
    for ordinal in range(request.accounts):
        funded = ordinal < FUNDED_ACCOUNTS
        network = Network.STELLAR if rng.random() < 0.5 else Network.HEDERA
        country = rng.choice(request.countries)
        account_type = AccountType.USER if funded else rng.choice(_ACCOUNT_TYPES)
        locale = request.locale or rng.choice(places.COUNTRY_LOCALES[country])
        created_ms = anchor_ms - rng.randint(_MIN_ACCOUNT_AGE_MS, oldest)
        verified = funded or rng.random() < VERIFIED_SHARE
        accounts.append(
            Account(
                id=_uuid(rng),
                account_id=_unique_address(rng, network, taken),
                network=network,
                environment=request.environment,
                account_type=account_type,
                country_code=country,
                region=rng.choice(places.cities(country)),
                holder_name=places.holder_name(locale, account_type, rng.getrandbits(64)),
                metadata={"created_by": "sandbox", "test_scenario": rng.choice(ACCOUNT_SCENARIOS)},
                balances=_funded_balances() if funded else _balances(rng, network, country),
                is_active=funded or rng.random() < ACTIVE_SHARE,
                verification_status=(
                    VerificationStatus.VERIFIED if verified else VerificationStatus.UNVERIFIED
                ),
                verified_at=_at(rng.randint(created_ms + 1, anchor_ms)) if verified else None,
                created_at=_at(created_ms),
            )
        )
    return accounts


def _unique_address(rng: Random, network: Network, taken: set[str]) -> str:
    # Hedera ids come from ~10 million numbers: a thousand accounts collide now and then.
    while True:
        address = (
            random_stellar_address(rng)
            if network is Network.STELLAR
            else random_hedera_account_id(rng)
        )
        if address not in taken:
            taken.add(address)
            return address


def _funded_balances() -> dict[str, Decimal]:
    return dict.fromkeys(CURRENCIES, FUNDED_BALANCE)


def _balances(rng: Random, network: Network, country: str) -> dict[str, Decimal]:
    currencies = ["USDC", NETWORK_TOKENS[network]]
    if country in LOCAL_CURRENCIES:
        currencies.append(LOCAL_CURRENCIES[country])
    return {currency: _money(rng, *BALANCE_RANGE) for currency in currencies}


# ------------------------------------------------------------------ transactions


def _transaction(
    rng: Random, accounts: Sequence[Account], floors: list[int], anchor_ms: int
) -> Transaction:
    source_index = rng.randrange(len(accounts))
    target_index = rng.randrange(len(accounts) - 1)
    if target_index >= source_index:  # any account but the source, uniformly
        target_index += 1
    source, target = accounts[source_index], accounts[target_index]
    transaction_type = rng.choice(_TRANSACTION_TYPES)
    roll = rng.random()
    created_ms = rng.randint(max(floors[source_index], floors[target_index]), anchor_ms)
    completed_at = failure_reason = None
    if roll < _PENDING_BELOW:
        status = TransactionStatus.PENDING
    elif roll < _COMPLETED_BELOW:
        status = TransactionStatus.COMPLETED
        completed_at = _at(min(created_ms + rng.randint(1, 60) * _MINUTE_MS, anchor_ms))
    else:
        status = TransactionStatus.FAILED
        failure_reason = rng.choice(FAILURE_REASONS)
    return Transaction(
        id=_uuid(rng),
        from_account_id=source.id,
        to_account_id=target.id,
        amount=_money(rng, *rng.choice(AMOUNT_RANGES)),
        currency=rng.choice(CURRENCIES),
        transaction_type=transaction_type,
        status=status,
        from_country_code=source.country_code,
        to_country_code=target.country_code,
        description=_transaction_description(transaction_type, source, target),
        metadata={
            "sandbox": True,
            # Each row gets its own type (never the first type for every transaction).
            "test_scenario": rng.choice(TRANSACTION_SCENARIOS[transaction_type]),
            "fees": rng.randint(1, 50),
        },
        failure_reason=failure_reason,
        created_at=_at(created_ms),
        updated_at=completed_at,
        completed_at=completed_at,
    )


def _transaction_description(kind: TransactionType, source: Account, target: Account) -> str:
    if kind is TransactionType.PAYMENT:
        return f"Sandbox payment from {source.region} to {target.holder_name}"
    return f"Sandbox {kind.value} from {source.region} to {target.region}"


# ------------------------------------------------------------------ compliance flags


def _flags(
    request: GenerationRequest,
    rng: Random,
    accounts: list[Account],
    transactions: list[Transaction],
    anchor_ms: int,
) -> tuple[list[ComplianceFlag], dict[int, str]]:
    """The flags, and the flag id of each flagged transaction (by index)."""
    by_id = {account.id: account for account in accounts}
    earliest = anchor_ms - FLAG_WINDOW // _MS
    # A transaction carries one flag id, so each is linked at most once. AML flags only go to
    # amounts at or above the threshold, as the ledger raises them.
    any_pool = list(range(len(transactions)))
    aml_pool = [i for i, t in enumerate(transactions) if t.amount >= request.aml_threshold]
    flagged: dict[int, str] = {}
    flags = []
    for _ in range(request.compliance_records):
        wants_transaction = rng.random() < 0.5
        flag_type = rng.choice(_FLAG_TYPES)
        index = None
        if wants_transaction:
            pool = aml_pool if flag_type is FlagType.AML else any_pool
            index = _take_unflagged(rng, pool, flagged)
        transaction = None if index is None else transactions[index]
        if transaction is None:
            account = rng.choice(accounts)
            floor = _ceil_ms(account.created_at)
            subject = f"account of {account.holder_name} in {account.region}"
        else:
            account = by_id[transaction.from_account_id]
            floor = _ceil_ms(transaction.created_at)
            subject = (
                f"{transaction.transaction_type.value} of {transaction.amount} "
                f"{transaction.currency} from {account.region} "
                f"to {by_id[transaction.to_account_id].region}"
            )
            if flag_type is FlagType.AML:
                subject += f", at or above the {request.aml_threshold} threshold"
        flag = _flag(rng, flag_type, account, transaction, subject, max(floor, earliest), anchor_ms)
        if index is not None:
            flagged[index] = flag.id
        flags.append(flag)
    return flags, flagged


def _take_unflagged(rng: Random, pool: list[int], flagged: dict[int, str]) -> int | None:
    # Swap-remove draws: O(1) each; entries flagged through the other pool are skipped.
    while pool:
        slot = rng.randrange(len(pool))
        index = pool[slot]
        pool[slot] = pool[-1]
        pool.pop()
        if index not in flagged:
            return index
    return None


def _flag(
    rng: Random,
    flag_type: FlagType,
    account: Account,
    transaction: Transaction | None,
    subject: str,
    floor_ms: int,
    anchor_ms: int,
) -> ComplianceFlag:
    status = rng.choice(_FLAG_STATUSES)
    created_ms = rng.randint(min(floor_ms, anchor_ms), anchor_ms)
    resolution = resolved_at = None
    if status is FlagStatus.RESOLVED:
        resolved_at = _at(min(created_ms + rng.randint(1, 7) * _DAY_MS, anchor_ms))
        resolution = rng.choice(_RESOLUTIONS)
    return ComplianceFlag(
        id=_uuid(rng),
        flag_type=flag_type,
        severity=rng.choice(SEVERITIES[flag_type]),
        status=status,
        title=f"Sandbox {flag_type.value.upper()} Flag",
        description=_FLAG_DESCRIPTIONS[flag_type].format(subject=subject),
        account_id=account.id,
        transaction_id=transaction.id if transaction else None,
        evidence={
            "sandbox": True,
            "test_data": True,
            "amount": format(transaction.amount, "f") if transaction else None,
            "risk_factors": rng.sample(RISK_FACTORS, k=rng.randint(1, len(RISK_FACTORS))),
        },
        risk_score=rng.randint(1, 10),
        resolution=resolution,
        resolution_notes=_RESOLUTION_NOTES[resolution] if resolution else None,
        created_at=_at(created_ms),
        updated_at=resolved_at,
        resolved_at=resolved_at,
        resolved_by="sandbox_system" if resolution else None,
    )


# ------------------------------------------------------------------ values


def _uuid(rng: Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _money(rng: Random, low: int, high: int) -> Decimal:
    """A uniform amount in [low, high] with exactly two decimal places."""
    return Decimal(rng.randint(low * 100, high * 100)).scaleb(-2)


def _anchor_ms(anchor: datetime) -> int:
    if anchor.tzinfo is None or anchor.utcoffset() is None:
        raise ValueError("anchor must be timezone-aware")
    return (anchor - _EPOCH) // _MS  # floored: no timestamp passes the anchor


def _ceil_ms(moment: datetime) -> int:
    return -((_EPOCH - moment) // _MS)


def _at(ms: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=ms)
