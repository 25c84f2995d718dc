"""The figures kept at write time give the same dashboard as the records they were kept for."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox_common.analytics.aggregates import (
    BucketKey,
    Figures,
    Granularity,
    StoredFigures,
    account_summary,
    add_into,
    amount_units,
    bucket_deltas,
    bucket_ranges,
    dashboard_from_figures,
    flag_status_change_figures,
    flag_summary,
    status_change_deltas,
    transaction_figures,
    units_amount,
    verification_figures,
)
from sandbox_common.analytics.dashboard import compute_dashboard
from sandbox_common.analytics.period import TimePeriod
from sandbox_common.ledger.models import (
    CURRENCIES,
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
from tests.unit.analytics.records import NOW, account, flag, tx

PENDING = TransactionStatus.PENDING


# ------------------------------------------------------------------ an in-memory store


@dataclass
class Store:
    """What DynamoDB holds for the figures: ADD of each write's deltas, name by name."""

    hours: dict[str, Figures] = field(default_factory=dict)
    days: dict[str, Figures] = field(default_factory=dict)
    accounts: Figures = field(default_factory=dict)
    flags: Figures = field(default_factory=dict)

    def add(self, deltas: dict[BucketKey, Figures]) -> None:
        for (granularity, key), figures in deltas.items():
            buckets = self.hours if granularity is Granularity.HOUR else self.days
            add_into(buckets.setdefault(key, {}), figures)

    def stored(self) -> StoredFigures:
        return StoredFigures(self.hours, self.days, self.accounts, self.flags)


# ------------------------------------------------------------------ examples


def test_a_transaction_adds_one_to_each_count_and_its_amount_to_each_volume() -> None:
    figures = transaction_figures(tx("12.50", "XLM", route=("KE", "GH"), metadata={"fees": 7}))
    # Amounts in whole units of 10^-7: 12.50 is 125,000,000.
    assert figures == {
        "n#status#completed": 1,
        "n#type#transfer": 1,
        "n#cur#XLM": 1,
        "v#XLM": 125_000_000,
        "vc#XLM": 125_000_000,
        "c#KE>GH": 1,
        "cv#KE>GH#XLM": 125_000_000,
        "fees": 7,
    }


def test_settling_moves_the_count_and_the_completed_volume_in_the_creation_buckets() -> None:
    pending = tx("5", status=PENDING, at=datetime(2026, 11, 20, 23, 59, tzinfo=UTC))
    deltas = status_change_deltas(pending, TransactionStatus.COMPLETED)
    moved = {"n#status#pending": -1, "n#status#completed": 1, "vc#USDC": 50_000_000}
    assert deltas == {
        (Granularity.HOUR, "2026-11-20T23"): moved,
        (Granularity.DAY, "2026-11-20"): moved,
    }
    assert status_change_deltas(pending, TransactionStatus.PENDING) == {}


def test_a_failure_moves_only_the_count() -> None:
    deltas = status_change_deltas(tx(status=PENDING), TransactionStatus.FAILED)
    assert list(deltas.values()) == [{"n#status#pending": -1, "n#status#failed": 1}] * 2


def test_a_code_that_would_break_an_attribute_name_is_refused() -> None:
    with pytest.raises(ValueError, match="code"):
        transaction_figures(tx(route=("NG", "K>E")))


@pytest.mark.parametrize(
    ("amount", "units"),
    [("0.0000001", 1), ("1E+3", 10_000_000_000), ("999999999999.9999999", 9999999999999999999)],
)
def test_amounts_are_kept_as_whole_units_of_a_ten_millionth(amount: str, units: int) -> None:
    assert amount_units(Decimal(amount)) == units
    assert units_amount(units) == Decimal(amount)


def test_an_amount_finer_than_a_ten_millionth_is_refused() -> None:
    with pytest.raises(ValueError, match="decimals"):
        amount_units(Decimal("0.00000001"))


def test_amounts_leave_without_trailing_zeros_whatever_the_stored_scale() -> None:
    store = Store()
    store.add(bucket_deltas([tx("1000.00"), tx("20.50", status=PENDING)]))
    body = dashboard_from_figures(store.stored(), period=TimePeriod.parse("1h"), now=NOW)
    volume = body.model_dump(mode="json")["volume_by_currency"][0]
    assert volume["total_amount"] == "1020.5"
    assert volume["completed_amount"] == "1000"
    assert volume["average_amount"] == "510.25"


@pytest.mark.parametrize(
    ("now", "label", "expected"),
    [
        # within one day: the hours of that day
        (NOW, "2h", [(Granularity.HOUR, "2026-11-22T13", "2026-11-22T15")]),
        # a week from 15:00: the rest of the first day, six whole days, today so far
        (
            NOW,
            "7d",
            [
                (Granularity.HOUR, "2026-11-15T15", "2026-11-15T23"),
                (Granularity.DAY, "2026-11-16", "2026-11-21"),
                (Granularity.HOUR, "2026-11-22T00", "2026-11-22T15"),
            ],
        ),
        # starting at midnight and ending at 23:59: whole days only
        (
            datetime(2026, 11, 22, 23, 10, tzinfo=UTC),
            "47h",
            [(Granularity.DAY, "2026-11-21", "2026-11-22")],
        ),
        (
            datetime(2026, 11, 22, 0, 10, tzinfo=UTC),
            "1h",
            [
                (Granularity.HOUR, "2026-11-21T23", "2026-11-21T23"),
                (Granularity.HOUR, "2026-11-22T00", "2026-11-22T00"),
            ],
        ),
    ],
)
def test_a_window_reads_whole_days_as_days_and_the_rest_as_hours(
    now: datetime, label: str, expected: list[tuple[Granularity, str, str]]
) -> None:
    start, end = TimePeriod.parse(label).window(now)
    ranges = bucket_ranges(start, end)
    assert [(r.granularity, r.first, r.last) for r in ranges] == expected


# ------------------------------------------------------------------ properties

LABELS = ["1h", "2h", "23h", "24h", "25h", "1d", "2d", "7d", "30d", "720h", "365d"]
COUNTRIES = ["NG", "KE", "ZA"]
moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(UTC)
)
amounts = st.builds(
    lambda units, places: Decimal(units).scaleb(-places),
    st.integers(min_value=0, max_value=10**12),
    st.integers(min_value=0, max_value=7),
)


@st.composite
def ledgers(
    draw: st.DrawFn,
) -> tuple[TimePeriod, datetime, list[Transaction], list[ComplianceFlag], list[Account]]:  # noqa: E501
    period = TimePeriod.parse(draw(st.sampled_from(LABELS)))
    now = draw(moments)
    start, end = period.window(now)
    near = st.one_of(
        st.sampled_from(
            [start, end, start - timedelta(microseconds=1), end + timedelta(microseconds=1)]
        ),
        st.datetimes(
            min_value=(start - timedelta(days=2)).replace(tzinfo=None),
            max_value=(end + timedelta(days=2)).replace(tzinfo=None),
            timezones=st.just(UTC),
        ),
    )
    transactions = draw(
        st.lists(
            st.builds(
                tx,
                amounts,
                st.sampled_from(CURRENCIES[:4]),
                status=st.sampled_from(TransactionStatus),
                at=near,
                route=st.tuples(st.sampled_from(COUNTRIES), st.sampled_from(COUNTRIES)),
                kind=st.sampled_from(TransactionType),
                metadata=st.builds(
                    lambda fees: {"fees": fees},
                    st.one_of(st.integers(0, 50), st.just(1.5), st.just(True), st.none()),
                ),
            ),
            max_size=40,
        )
    )
    flags = draw(
        st.lists(
            st.builds(flag, st.sampled_from(FlagStatus), st.sampled_from(FlagType), near),
            max_size=15,
        )
    )
    accounts = draw(
        st.lists(
            st.builds(
                account,
                st.sampled_from(COUNTRIES),
                st.sampled_from(AccountType),
                active=st.booleans(),
                verified=st.booleans(),
            ),
            max_size=15,
        )
    )
    return period, now, transactions, flags, accounts


@settings(max_examples=150, deadline=None)
@given(ledgers(), st.data())
def test_figures_kept_through_every_write_give_the_records_dashboard(
    ledger: tuple[TimePeriod, datetime, list[Transaction], list[ComplianceFlag], list[Account]],
    data: st.DataObject,
) -> None:
    period, now, transactions, flags, accounts = ledger
    # Given the figures of a loaded data set,
    store = Store(accounts=account_summary(accounts), flags=flag_summary(flags))
    store.add(bucket_deltas(transactions, flags))
    # when pending transfers settle or fail, flags move on and accounts get verified,
    for index, transaction in enumerate(transactions):
        if transaction.status is TransactionStatus.PENDING and data.draw(st.booleans()):
            outcome = data.draw(
                st.sampled_from([TransactionStatus.COMPLETED, TransactionStatus.FAILED])
            )
            store.add(status_change_deltas(transaction, outcome))
            transactions[index] = transaction.model_copy(update={"status": outcome})
    for index, raised in enumerate(flags):
        later = [
            s
            for s in FlagStatus
            if list(FlagStatus).index(s) > list(FlagStatus).index(raised.status)
        ]
        if later and data.draw(st.booleans()):
            status = data.draw(st.sampled_from(later))
            add_into(store.flags, flag_status_change_figures(raised.status, status))
            flags[index] = raised.model_copy(update={"status": status})
    for index, held in enumerate(accounts):
        if held.verification_status is VerificationStatus.UNVERIFIED and data.draw(st.booleans()):
            add_into(store.accounts, verification_figures())
            accounts[index] = held.model_copy(
                update={"verification_status": VerificationStatus.VERIFIED}
            )

    # then the dashboard from the figures is the dashboard of the records, to the character.
    kept = dashboard_from_figures(store.stored(), period=period, now=now)
    expected = compute_dashboard(transactions, flags, accounts, period=period, now=now)
    assert kept == expected
    assert kept.model_dump_json() == expected.model_dump_json()


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(LABELS), moments)
def test_a_window_reads_each_of_its_hours_exactly_once_in_few_ranges(
    label: str, now: datetime
) -> None:
    start, end = TimePeriod.parse(label).window(now)
    ranges = bucket_ranges(start, end)
    covered: defaultdict[str, int] = defaultdict(int)
    hour = start
    while hour <= end:
        key_hour, key_day = hour.strftime("%Y-%m-%dT%H"), hour.strftime("%Y-%m-%d")
        for r in ranges:
            key = key_hour if r.granularity is Granularity.HOUR else key_day
            covered[hour.isoformat()] += r.first <= key <= r.last
        hour += timedelta(hours=1)
    assert set(covered.values()) == {1}
    assert len(ranges) <= 3
    for r in ranges:
        if r.granularity is Granularity.HOUR:
            assert r.first[:10] == r.last[:10]  # one day at most: 24 keys
        else:
            assert date.fromisoformat(r.first) <= date.fromisoformat(r.last)
