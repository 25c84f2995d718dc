"""``GET /api/v1/sandbox/analytics/dashboard``: the response, and its figures from records.

The service reads the figures kept at write time (``analytics.aggregates``);
``compute_dashboard`` computes the same dashboard straight from the records, which is what
the kept figures are tested against. Pure. Every amount is a ``Decimal`` summed exactly,
so each figure adds up to what listing the transactions shows, and leaves without trailing
zeros ("1020.5", not "1020.50") so the text does not depend on how the sum was stored.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import (
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)
from fractions import Fraction

from pydantic import BaseModel

from sandbox_common.analytics.period import TimePeriod
from sandbox_common.ledger.models import (
    Account,
    AccountType,
    ComplianceFlag,
    FlagStatus,
    FlagType,
    Money,
    Transaction,
    TransactionStatus,
    TransactionType,
    VerificationStatus,
)

# Far more digits than any sum of ledger amounts needs; rounding would be a bug, so it raises.
EXACT = Context(prec=60, traps=[Inexact, InvalidOperation, Overflow, DivisionByZero])
_ZERO = Decimal(0)


class Totals(BaseModel):
    """Transaction counts of the period; ``success_rate`` ignores transactions still pending."""

    transactions: int
    completed: int
    pending: int
    failed: int
    success_rate: Money
    fees_total: int


class CurrencyVolume(BaseModel):
    """What moved in one currency over the period."""

    currency: str
    count: int
    total_amount: Money
    completed_amount: Money
    average_amount: Money


class Corridor(BaseModel):
    """Transactions from one country to another, with their volume per currency."""

    from_country: str
    to_country: str
    count: int
    volume: dict[str, Money]


class DayActivity(BaseModel):
    """One UTC calendar day; ``volume`` lists every currency of the period (zero if idle)."""

    date: date
    count: int
    completed: int
    volume: dict[str, Money]


class AccountFigures(BaseModel):
    """The sandbox's accounts as they are now (not limited to the period)."""

    total: int
    active: int
    verified: int
    by_country: dict[str, int]
    by_type: dict[str, int]


class ComplianceFigures(BaseModel):
    """Flags raised in the period, and the current workflow state of all flags."""

    raised_in_period: int
    open: int
    in_review: int
    resolved: int
    by_type: dict[str, int]


class Dashboard(BaseModel):
    """The dashboard of one sandbox over ``time_period``, computed at ``generated_at``.

    The window is whole UTC hours, both bounds inclusive: ``period_start`` is the top of the
    hour ``time_period`` before ``generated_at``, ``period_end`` the last instant of the
    current hour. ``GET /transactions?since=<period_start>&until=<period_end>`` lists
    exactly the transactions counted here.
    """

    time_period: str
    period_start: datetime
    period_end: datetime
    generated_at: datetime
    totals: Totals
    volume_by_currency: list[CurrencyVolume]
    counts_by_status: dict[str, int]
    counts_by_type: dict[str, int]
    counts_by_currency: dict[str, int]
    corridors: list[Corridor]
    daily: list[DayActivity]
    accounts: AccountFigures
    compliance: ComplianceFigures


def compute_dashboard(
    transactions: Iterable[Transaction],
    flags: Iterable[ComplianceFlag],
    accounts: Iterable[Account],
    *,
    period: TimePeriod,
    now: datetime,
) -> Dashboard:
    """The dashboard of ``period`` at ``now`` (records outside its window are ignored).

    Naive datetimes are taken as UTC, as the ledger stores UTC.
    """
    now = _utc(now)
    start, end = period.window(now)
    in_window = [tx for tx in transactions if start <= _utc(tx.created_at) <= end]
    with localcontext(EXACT):
        volumes = _volumes(in_window)
        return Dashboard(
            time_period=period.label,
            period_start=start,
            period_end=end,
            generated_at=now,
            totals=_totals(in_window),
            volume_by_currency=volumes,
            counts_by_status=_counts((tx.status for tx in in_window), TransactionStatus),
            counts_by_type=_counts((tx.transaction_type for tx in in_window), TransactionType),
            counts_by_currency={v.currency: v.count for v in volumes},
            corridors=_corridors(in_window),
            daily=_daily(in_window, [v.currency for v in volumes], start.date(), end.date()),
            accounts=_accounts(accounts),
            compliance=_compliance(list(flags), start, end),
        )


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def success_rate(completed: int, failed: int) -> Decimal:
    """Completed over settled (completed + failed) to 4 places; 0 when nothing settled."""
    settled = completed + failed
    return _rounded(Fraction(completed, settled) if settled else Fraction(0), 4)


def average_amount(total: Decimal, count: int) -> Decimal:
    """``total / count`` rounded half to even to cents (``count`` > 0)."""
    return _rounded(Fraction(total) / count, 2)


def plain_amount(value: Decimal) -> Decimal:
    """``value`` without trailing zeros (exact: only the exponent changes)."""
    with localcontext(EXACT):
        return value.normalize()


def _rounded(value: Fraction, places: int) -> Decimal:
    # Rounding the exact fraction once avoids the double rounding of a Decimal division.
    nearest = round(value, places)  # Fraction rounds half to even; the division is exact
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(nearest.numerator) / nearest.denominator).quantize(quantum)


def _counts[E: str](values: Iterable[E], every: Iterable[E]) -> dict[str, int]:
    seen = Counter(values)
    return {str(member): seen.get(member, 0) for member in every}


def _totals(transactions: list[Transaction]) -> Totals:
    status = Counter(tx.status for tx in transactions)
    completed = status[TransactionStatus.COMPLETED]
    failed = status[TransactionStatus.FAILED]
    return Totals(
        transactions=len(transactions),
        completed=completed,
        pending=status[TransactionStatus.PENDING],
        failed=failed,
        success_rate=success_rate(completed, failed),
        fees_total=sum(transaction_fee(tx) for tx in transactions),
    )


def transaction_fee(transaction: Transaction) -> int:
    """The transaction's integer ``fees`` metadata; anything else counts as 0."""
    fee = transaction.metadata.get("fees")
    # bool is an int to Python, and a float fee would make the total inexact: neither counts.
    return fee if isinstance(fee, int) and not isinstance(fee, bool) else 0


def _volumes(transactions: list[Transaction]) -> list[CurrencyVolume]:
    by_currency: defaultdict[str, list[Transaction]] = defaultdict(list)
    for tx in transactions:
        by_currency[tx.currency].append(tx)
    figures = []
    for currency in sorted(by_currency):
        group = by_currency[currency]
        total = sum((tx.amount for tx in group), _ZERO)
        figures.append(
            CurrencyVolume(
                currency=currency,
                count=len(group),
                total_amount=plain_amount(total),
                completed_amount=plain_amount(
                    sum(
                        (tx.amount for tx in group if tx.status is TransactionStatus.COMPLETED),
                        _ZERO,
                    )
                ),
                average_amount=average_amount(total, len(group)),
            )
        )
    return figures


def _corridors(transactions: list[Transaction]) -> list[Corridor]:
    counts: Counter[tuple[str, str]] = Counter()
    volumes: defaultdict[tuple[str, str], defaultdict[str, Decimal]] = defaultdict(
        lambda: defaultdict(lambda: _ZERO)
    )
    for tx in transactions:
        route = (tx.from_country_code, tx.to_country_code)
        counts[route] += 1
        volumes[route][tx.currency] += tx.amount
    ranked = sorted(counts, key=lambda route: (-counts[route], route))
    return [
        Corridor(
            from_country=origin,
            to_country=destination,
            count=counts[(origin, destination)],
            volume={
                currency: plain_amount(amount)
                for currency, amount in sorted(volumes[(origin, destination)].items())
            },
        )
        for origin, destination in ranked
    ]


def _daily(
    transactions: list[Transaction], currencies: list[str], first: date, last: date
) -> list[DayActivity]:
    counts: Counter[date] = Counter()
    completed: Counter[date] = Counter()
    volumes: defaultdict[date, dict[str, Decimal]] = defaultdict(
        lambda: dict.fromkeys(currencies, _ZERO)
    )
    for tx in transactions:
        day = _utc(tx.created_at).date()
        counts[day] += 1
        if tx.status is TransactionStatus.COMPLETED:
            completed[day] += 1
        volumes[day][tx.currency] += tx.amount
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [
        DayActivity(
            date=day,
            count=counts[day],
            completed=completed[day],
            volume={currency: plain_amount(amount) for currency, amount in volumes[day].items()},
        )
        for day in days
    ]


def _accounts(accounts: Iterable[Account]) -> AccountFigures:
    listed = list(accounts)
    return AccountFigures(
        total=len(listed),
        active=sum(account.is_active for account in listed),
        verified=sum(
            account.verification_status is VerificationStatus.VERIFIED for account in listed
        ),
        by_country=dict(sorted(Counter(account.country_code for account in listed).items())),
        by_type=_counts((account.account_type for account in listed), AccountType),
    )


def _compliance(flags: list[ComplianceFlag], start: datetime, end: datetime) -> ComplianceFigures:
    status = Counter(flag.status for flag in flags)
    return ComplianceFigures(
        raised_in_period=sum(start <= _utc(flag.created_at) <= end for flag in flags),
        open=status[FlagStatus.OPEN],
        in_review=status[FlagStatus.IN_REVIEW],
        resolved=status[FlagStatus.RESOLVED],
        by_type=_counts((flag.flag_type for flag in flags), FlagType),
    )
