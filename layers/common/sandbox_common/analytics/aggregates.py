"""The dashboard's figures kept at write time, and the dashboard read back from them.

Next to its records a sandbox keeps what the dashboard needs, so a dashboard reads a few
hundred small items whatever the sandbox holds:

- one bucket per UTC hour and one per UTC day of creation time, holding what the
  transactions and flags created then add up to (counts by status, type and currency,
  volumes, corridors, fees, flags raised);
- two summaries of the sandbox as it is now: its accounts and its compliance flags.

Every write that changes a record adds its change to these in the same DynamoDB
transaction; a transfer's settlement moves its counts in the buckets of its creation time.

Pure. Figures are flat ``{name: int}`` maps with names such as ``n#status#completed``,
``v#USDC`` or ``cv#NG>KE#USDC``: adding two maps name by name is exactly what DynamoDB's
``ADD`` does to a stored item, and a flat name needs no parent map to exist first. Counts
never go down except when a status moves, so a name that is present means at least one
record had it (a currency, a corridor), even when its amount is zero.

Amounts are kept as whole numbers of their smallest unit, 10^-7 (a stroop; ledger amounts
carry at most 7 decimals), so every figure is an integer: sums are exact in any store,
with no decimal context to round them and no exponent notation ("1E-7") for a store to
misread.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, localcontext
from enum import StrEnum

from sandbox_common.analytics.dashboard import (
    EXACT,
    AccountFigures,
    ComplianceFigures,
    Corridor,
    CurrencyVolume,
    Dashboard,
    DayActivity,
    Totals,
    average_amount,
    plain_amount,
    success_rate,
    transaction_fee,
)
from sandbox_common.analytics.period import TimePeriod, top_of_hour
from sandbox_common.ledger.models import (
    Account,
    AccountType,
    ComplianceFlag,
    FlagStatus,
    FlagType,
    Transaction,
    TransactionStatus,
    TransactionType,
    VerificationStatus,
)

Figures = dict[str, int]

ONE = 1
# Amounts are stored in units of 10^-7.
AMOUNT_PLACES = 7
_NO_AMOUNT = Decimal(0)
FEES = "fees"
FLAGS_RAISED = "flags"


class Granularity(StrEnum):
    """The two sizes of bucket: a UTC hour (``2026-11-30T01``) and a UTC day (``2026-11-30``)."""

    HOUR = "hour"
    DAY = "day"


class Summary(StrEnum):
    """The two summaries of the sandbox as it is now."""

    ACCOUNTS = "accounts"
    FLAGS = "flags"


BucketKey = tuple[Granularity, str]


# ------------------------------------------------------------------ what a write adds


def bucket_keys(moment: datetime) -> tuple[BucketKey, BucketKey]:
    """The hour and the day bucket of a record created at ``moment`` (naive is UTC)."""
    utc = _utc(moment)
    return (Granularity.HOUR, _hour_key(utc)), (Granularity.DAY, utc.strftime("%Y-%m-%d"))


def transaction_figures(transaction: Transaction) -> Figures:
    """What one transaction adds to the buckets of its creation time."""
    currency = _code(transaction.currency)
    route = f"{_code(transaction.from_country_code)}>{_code(transaction.to_country_code)}"
    amount = amount_units(transaction.amount)
    figures: Figures = {
        f"n#status#{transaction.status.value}": ONE,
        f"n#type#{transaction.transaction_type.value}": ONE,
        f"n#cur#{currency}": ONE,
        f"v#{currency}": amount,
        f"c#{route}": ONE,
        f"cv#{route}#{currency}": amount,
    }
    if transaction.status is TransactionStatus.COMPLETED:
        figures[f"vc#{currency}"] = amount
    fee = transaction_fee(transaction)
    if fee:
        figures[FEES] = fee
    return figures


def status_change_figures(transaction: Transaction, status: TransactionStatus) -> Figures:
    """What moving ``transaction`` from its status to ``status`` changes in its buckets."""
    if status is transaction.status:
        return {}
    currency = _code(transaction.currency)
    figures: Figures = {
        f"n#status#{transaction.status.value}": -ONE,
        f"n#status#{status.value}": ONE,
    }
    if status is TransactionStatus.COMPLETED:
        figures[f"vc#{currency}"] = amount_units(transaction.amount)
    elif transaction.status is TransactionStatus.COMPLETED:
        figures[f"vc#{currency}"] = -amount_units(transaction.amount)
    return figures


def bucket_deltas(
    transactions: Iterable[Transaction], flags: Iterable[ComplianceFlag] = ()
) -> dict[BucketKey, Figures]:
    """What new ``transactions`` and ``flags`` add, bucket by bucket."""
    deltas: defaultdict[BucketKey, Figures] = defaultdict(dict)
    for transaction in transactions:
        figures = transaction_figures(transaction)
        for key in bucket_keys(transaction.created_at):
            add_into(deltas[key], figures)
    for flag in flags:
        for key in bucket_keys(flag.created_at):
            add_into(deltas[key], {FLAGS_RAISED: ONE})
    return dict(deltas)


def status_change_deltas(
    transaction: Transaction, status: TransactionStatus
) -> dict[BucketKey, Figures]:
    """What a status change of ``transaction`` changes, bucket by bucket."""
    figures = status_change_figures(transaction, status)
    return {key: dict(figures) for key in bucket_keys(transaction.created_at)} if figures else {}


def account_summary_figures(account: Account) -> Figures:
    """What one new account adds to the accounts summary."""
    figures: Figures = {
        "total": ONE,
        f"country#{_code(account.country_code)}": ONE,
        f"type#{account.account_type.value}": ONE,
    }
    if account.is_active:
        figures["active"] = ONE
    if account.verification_status is VerificationStatus.VERIFIED:
        figures["verified"] = ONE
    return figures


def verification_figures() -> Figures:
    """What an account becoming verified adds to the accounts summary."""
    return {"verified": ONE}


def flag_summary_figures(flag: ComplianceFlag) -> Figures:
    """What one new flag adds to the flags summary."""
    return {f"status#{flag.status.value}": ONE, f"type#{flag.flag_type.value}": ONE}


def flag_status_change_figures(before: FlagStatus, after: FlagStatus) -> Figures:
    """What a flag moving from ``before`` to ``after`` changes in the flags summary."""
    if before is after:
        return {}
    return {f"status#{before.value}": -ONE, f"status#{after.value}": ONE}


def account_summary(accounts: Iterable[Account]) -> Figures:
    """The accounts summary of ``accounts``."""
    summary: Figures = {}
    for account in accounts:
        add_into(summary, account_summary_figures(account))
    return summary


def flag_summary(flags: Iterable[ComplianceFlag]) -> Figures:
    """The flags summary of ``flags``."""
    summary: Figures = {}
    for flag in flags:
        add_into(summary, flag_summary_figures(flag))
    return summary


def add_into(figures: Figures, more: Mapping[str, int]) -> None:
    """Add ``more`` to ``figures`` name by name (DynamoDB's ``ADD``)."""
    for name, value in more.items():
        figures[name] = figures.get(name, 0) + value


def amount_units(amount: Decimal) -> int:
    """``amount`` in units of 10^-7; ValueError if it has more decimals than that."""
    with localcontext(EXACT):
        units = amount.scaleb(AMOUNT_PLACES)
        if units != units.to_integral_value():
            raise ValueError(f"{amount} has more than {AMOUNT_PLACES} decimals")
        return int(units)


def units_amount(units: int) -> Decimal:
    """The amount of ``units`` of 10^-7, without trailing zeros."""
    if not units:
        return _NO_AMOUNT  # most days of a long window are idle: skip the decimal work
    return plain_amount(Decimal(units).scaleb(-AMOUNT_PLACES))


# ------------------------------------------------------------------ what a read needs


@dataclass(frozen=True)
class KeyRange:
    """Buckets of one granularity whose keys lie between ``first`` and ``last`` inclusive."""

    granularity: Granularity
    first: str
    last: str


@dataclass(frozen=True)
class StoredFigures:
    """What a dashboard reads: buckets by key, and the two summaries."""

    hours: Mapping[str, Figures]
    days: Mapping[str, Figures]
    accounts: Mapping[str, int]
    flags: Mapping[str, int]


def bucket_ranges(start: datetime, end: datetime) -> list[KeyRange]:
    """The buckets that make up the window ``[start, end]`` of ``TimePeriod.window``.

    Whole days are read as day buckets; the first and last day, when the window covers
    only part of them, as hour buckets. At most two hour ranges of 24 keys and one day
    range, whatever the window.
    """
    spans = _day_spans(start, end)
    whole = [span for span in spans if span.whole]
    ranges: list[KeyRange] = []
    if not spans[0].whole:
        ranges.append(spans[0].hours)
    if whole:
        ranges.append(KeyRange(Granularity.DAY, str(whole[0].day), str(whole[-1].day)))
    if len(spans) > 1 and not spans[-1].whole:
        ranges.append(spans[-1].hours)
    return ranges


def dashboard_from_figures(
    stored: StoredFigures, *, period: TimePeriod, now: datetime
) -> Dashboard:
    """The dashboard of ``period`` at ``now`` from the kept figures.

    Equal to ``compute_dashboard`` over the records the figures were kept for.
    """
    now = _utc(now)
    start, end = period.window(now)
    per_day = [(span.day, span.figures(stored)) for span in _day_spans(start, end)]
    total: Figures = {}
    for _, figures in per_day:
        add_into(total, figures)
    read = _Read(total)
    with localcontext(EXACT):
        currencies = sorted(c for c, n in read.counts("cur").items() if n > 0)
        completed = read.counts("status").get(TransactionStatus.COMPLETED.value, 0)
        failed = read.counts("status").get(TransactionStatus.FAILED.value, 0)
        pending = read.counts("status").get(TransactionStatus.PENDING.value, 0)
        return Dashboard(
            time_period=period.label,
            period_start=start,
            period_end=end,
            generated_at=now,
            totals=Totals(
                transactions=completed + failed + pending,
                completed=completed,
                pending=pending,
                failed=failed,
                success_rate=success_rate(completed, failed),
                fees_total=total.get(FEES, 0),
            ),
            volume_by_currency=[
                CurrencyVolume(
                    currency=currency,
                    count=read.counts("cur")[currency],
                    total_amount=read.amount("v", currency),
                    completed_amount=read.amount("vc", currency),
                    average_amount=average_amount(
                        read.amount("v", currency), read.counts("cur")[currency]
                    ),
                )
                for currency in currencies
            ],
            counts_by_status=_every(read.counts("status"), TransactionStatus),
            counts_by_type=_every(read.counts("type"), TransactionType),
            counts_by_currency={c: read.counts("cur")[c] for c in currencies},
            corridors=read.corridors(),
            daily=[_day_activity(day, figures, currencies) for day, figures in per_day],
            accounts=_accounts(stored.accounts),
            compliance=ComplianceFigures(
                raised_in_period=total.get(FLAGS_RAISED, 0),
                open=_count(stored.flags, f"status#{FlagStatus.OPEN.value}"),
                in_review=_count(stored.flags, f"status#{FlagStatus.IN_REVIEW.value}"),
                resolved=_count(stored.flags, f"status#{FlagStatus.RESOLVED.value}"),
                by_type={t.value: _count(stored.flags, f"type#{t.value}") for t in FlagType},
            ),
        )


# ------------------------------------------------------------------ internals


@dataclass(frozen=True)
class _DaySpan:
    """The hours ``first``..``last`` of one UTC day that a window covers."""

    day: date
    first: int
    last: int

    @property
    def whole(self) -> bool:
        return self.first == 0 and self.last == 23

    @property
    def hours(self) -> KeyRange:
        return KeyRange(
            Granularity.HOUR, f"{self.day}T{self.first:02d}", f"{self.day}T{self.last:02d}"
        )

    def figures(self, stored: StoredFigures) -> Figures:
        if self.whole:
            return dict(stored.days.get(str(self.day), {}))
        summed: Figures = {}
        for hour in range(self.first, self.last + 1):
            add_into(summed, stored.hours.get(f"{self.day}T{hour:02d}", {}))
        return summed


def _day_spans(start: datetime, end: datetime) -> list[_DaySpan]:
    first, last = top_of_hour(_utc(start)), top_of_hour(_utc(end))
    spans = []
    day = first.date()
    while day <= last.date():
        spans.append(
            _DaySpan(
                day,
                first.hour if day == first.date() else 0,
                last.hour if day == last.date() else 23,
            )
        )
        day += timedelta(days=1)
    return spans


class _Read:
    """Figures of one bucket (or a sum of buckets), looked up by kind of name."""

    def __init__(self, figures: Figures) -> None:
        self.figures = figures
        self._counts: defaultdict[str, dict[str, int]] = defaultdict(dict)
        self._amounts: defaultdict[str, dict[str, int]] = defaultdict(dict)
        self._corridor_volumes: defaultdict[str, dict[str, int]] = defaultdict(dict)
        for name, value in figures.items():
            kind, _, rest = name.partition("#")
            if kind == "n":
                group, _, member = rest.partition("#")
                self._counts[group][member] = value
            elif kind in ("v", "vc"):
                self._amounts[kind][rest] = value
            elif kind == "c":
                self._counts["corridor"][rest] = value
            elif kind == "cv":
                route, _, currency = rest.partition("#")
                self._corridor_volumes[route][currency] = value

    def counts(self, group: str) -> dict[str, int]:
        return self._counts[group]

    def amount(self, kind: str, currency: str) -> Decimal:
        return units_amount(self._amounts[kind].get(currency, 0))

    def corridors(self) -> list[Corridor]:
        counts: dict[tuple[str, str], int] = {}
        for route, n in self._counts["corridor"].items():
            if n > 0:
                origin, _, destination = route.partition(">")
                counts[(origin, destination)] = n
        ranked = sorted(counts, key=lambda route: (-counts[route], route))
        return [
            Corridor(
                from_country=origin,
                to_country=destination,
                count=counts[(origin, destination)],
                volume={
                    currency: units_amount(amount)
                    for currency, amount in sorted(
                        self._corridor_volumes[f"{origin}>{destination}"].items()
                    )
                },
            )
            for origin, destination in ranked
        ]


def _day_activity(day: date, figures: Figures, currencies: list[str]) -> DayActivity:
    if not figures:  # most days of a long window are idle
        return DayActivity(date=day, count=0, completed=0, volume=dict.fromkeys(currencies, 0))
    read = _Read(figures)
    statuses = read.counts("status")
    return DayActivity(
        date=day,
        count=sum(statuses.values()),
        completed=statuses.get(TransactionStatus.COMPLETED.value, 0),
        volume={currency: read.amount("v", currency) for currency in currencies},
    )


def _accounts(summary: Mapping[str, int]) -> AccountFigures:
    countries = {
        name.partition("#")[2]: value
        for name, value in summary.items()
        if name.startswith("country#") and value > 0
    }
    return AccountFigures(
        total=_count(summary, "total"),
        active=_count(summary, "active"),
        verified=_count(summary, "verified"),
        by_country=dict(sorted(countries.items())),
        by_type={t.value: _count(summary, f"type#{t.value}") for t in AccountType},
    )


def _every[E: StrEnum](counts: Mapping[str, int], every: Iterable[E]) -> dict[str, int]:
    return {member.value: counts.get(member.value, 0) for member in every}


def _count(figures: Mapping[str, int], name: str) -> int:
    return figures.get(name, 0)


def _hour_key(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H")


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _code(value: str) -> str:
    # Codes become part of attribute names, where '#' and '>' separate the parts.
    if not value.isalnum():
        raise ValueError(f"not a currency or country code: {value!r}")
    return value
