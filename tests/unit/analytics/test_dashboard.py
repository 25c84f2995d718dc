import json
import random
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from sandbox_common.analytics.dashboard import Dashboard, compute_dashboard
from sandbox_common.analytics.period import TimePeriod
from sandbox_common.ledger.models import (
    COUNTRIES,
    CURRENCIES,
    Account,
    AccountType,
    ComplianceFlag,
    FlagStatus,
    FlagType,
    Transaction,
    TransactionStatus,
    TransactionType,
)
from tests.unit.analytics.records import NOW, account, flag, tx

WEEK = TimePeriod.parse("7d")
# The window is whole hours: from the top of the hour a week ago to the end of this hour.
WEEK_START = datetime(2026, 11, 15, 15, tzinfo=UTC)
WEEK_END = datetime(2026, 11, 22, 15, 59, 59, 999_999, tzinfo=UTC)


def dashboard(
    transactions: Iterable[Transaction] = (),
    flags: Iterable[ComplianceFlag] = (),
    accounts: Iterable[Account] = (),
    *,
    period: TimePeriod = WEEK,
    now: datetime = NOW,
) -> Dashboard:
    return compute_dashboard(transactions, flags, accounts, period=period, now=now)


def as_json(board: Dashboard) -> dict[str, Any]:
    def no_floats(text: str) -> None:
        raise AssertionError(f"a float in the dashboard JSON: {text}")

    loaded: dict[str, Any] = json.loads(board.model_dump_json(), parse_float=no_floats)
    return loaded


def assert_adds_up(board: Dashboard, in_window: list[Transaction]) -> None:
    """The figures agree with each other and with the transactions of the window."""
    count = len(in_window)
    assert board.totals.transactions == count
    assert sum(board.counts_by_status.values()) == count
    assert sum(board.counts_by_type.values()) == count
    assert sum(board.counts_by_currency.values()) == count
    assert sum(day.count for day in board.daily) == count
    assert sum(corridor.count for corridor in board.corridors) == count
    assert sum(volume.count for volume in board.volume_by_currency) == count
    assert board.totals.completed + board.totals.pending + board.totals.failed == count
    assert sum(day.completed for day in board.daily) == board.totals.completed
    currencies = {t.currency for t in in_window}
    assert [v.currency for v in board.volume_by_currency] == sorted(currencies)
    for volume in board.volume_by_currency:
        mine = [t for t in in_window if t.currency == volume.currency]
        assert volume.count == board.counts_by_currency[volume.currency] == len(mine)
        assert volume.total_amount == sum((t.amount for t in mine), Decimal(0))
        assert volume.completed_amount == sum(
            (t.amount for t in mine if t.status is TransactionStatus.COMPLETED), Decimal(0)
        )
        assert volume.total_amount == sum(
            (day.volume.get(volume.currency, Decimal(0)) for day in board.daily), Decimal(0)
        )
        assert volume.total_amount == sum(
            (c.volume.get(volume.currency, Decimal(0)) for c in board.corridors), Decimal(0)
        )


# ------------------------------------------------------------------ behaviour


def test_volumes_add_up_exactly_to_the_transactions() -> None:
    transactions = [
        tx("1000000.0000001", "USDC"),
        tx("0.0000001", "USDC", status=TransactionStatus.PENDING, route=("KE", "NG")),
        tx("2500.50", "NGN", status=TransactionStatus.FAILED, at=NOW - timedelta(days=3)),
        tx("12.25", "XLM", route=("ZA", "GH"), at=WEEK_START),
    ]
    board = dashboard(transactions)

    assert_adds_up(board, transactions)
    usdc = next(v for v in board.volume_by_currency if v.currency == "USDC")
    assert usdc.total_amount == Decimal("1000000.0000002")
    assert usdc.completed_amount == Decimal("1000000.0000001")
    assert usdc.average_amount == Decimal("500000.00")


def test_transactions_outside_the_window_are_ignored() -> None:
    at_start = tx("1", at=WEEK_START)
    at_end = tx("2", at=WEEK_END)
    too_early = tx("4", at=WEEK_START - timedelta(microseconds=1))
    too_late = tx("8", at=WEEK_END + timedelta(microseconds=1))
    board = dashboard([too_early, at_start, at_end, too_late])

    assert board.totals.transactions == 2
    assert board.volume_by_currency[0].total_amount == Decimal("3")
    assert_adds_up(board, [at_start, at_end])


def test_every_day_of_the_window_is_listed_even_without_activity() -> None:
    board = dashboard([tx("5", at=datetime(2026, 11, 18, 9, tzinfo=UTC))])

    # 15 Nov 15:30 to 22 Nov 15:30 touches eight UTC calendar days, both ends included.
    assert [day.date for day in board.daily] == [date(2026, 11, d) for d in range(15, 23)]
    assert [day.count for day in board.daily] == [0, 0, 0, 1, 0, 0, 0, 0]
    assert all(day.volume == {"USDC": Decimal(0)} for day in board.daily if day.count == 0)
    assert board.daily[3].volume == {"USDC": Decimal("5")}


def test_an_hourly_window_lists_the_days_it_touches() -> None:
    just_after_midnight = datetime(2026, 11, 22, 0, 30, tzinfo=UTC)
    board = dashboard(period=TimePeriod.parse("1h"), now=just_after_midnight)
    assert [day.date for day in board.daily] == [date(2026, 11, 21), date(2026, 11, 22)]
    assert board.period_start == datetime(2026, 11, 21, 23, 0, tzinfo=UTC)


def test_amounts_are_exact_decimals_serialized_as_strings() -> None:
    board = dashboard([tx("0.1"), tx("0.2")])
    body = as_json(board)

    usdc = body["volume_by_currency"][0]
    assert usdc["total_amount"] == "0.3"
    assert usdc["completed_amount"] == "0.3"
    assert usdc["average_amount"] == "0.15"
    assert body["daily"][-1]["volume"] == {"USDC": "0.3"}
    assert body["corridors"][0]["volume"] == {"USDC": "0.3"}
    assert body["totals"]["success_rate"] == "1.0000"


def test_large_amounts_are_written_without_exponents() -> None:
    body = as_json(dashboard([tx("1E+3"), tx("999999999999.9999999")]))
    assert body["volume_by_currency"][0]["total_amount"] == "1000000000999.9999999"
    assert body["volume_by_currency"][0]["average_amount"] == "500000000500.00"


def test_average_amount_rounds_half_to_even_cents() -> None:
    board = dashboard(
        [tx("0.125", "USDC"), tx("0.375", "XLM"), tx("0.01", "NGN"), tx("0.04", "NGN")]
    )
    averages = {v.currency: v.average_amount for v in board.volume_by_currency}
    assert averages == {"NGN": Decimal("0.02"), "USDC": Decimal("0.12"), "XLM": Decimal("0.38")}
    assert all(average.as_tuple().exponent == -2 for average in averages.values())


def test_success_rate_counts_only_settled_transactions() -> None:
    statuses = [TransactionStatus.COMPLETED] * 2 + [TransactionStatus.FAILED]
    board = dashboard([tx(status=s) for s in [*statuses, TransactionStatus.PENDING]])
    assert board.totals.success_rate == Decimal("0.6667")
    assert (board.totals.completed, board.totals.pending, board.totals.failed) == (2, 1, 1)


def test_success_rate_rounds_half_to_even() -> None:
    # 1/32 = 0.03125 exactly: half to even keeps 0.0312.
    statuses = [TransactionStatus.COMPLETED] + [TransactionStatus.FAILED] * 31
    assert dashboard([tx(status=s) for s in statuses]).totals.success_rate == Decimal("0.0312")


def test_success_rate_is_zero_when_nothing_is_settled() -> None:
    board = dashboard([tx(status=TransactionStatus.PENDING)])
    assert board.totals.success_rate == Decimal(0)
    assert as_json(board)["totals"]["success_rate"] == "0.0000"


def test_fees_total_sums_integer_fees_only() -> None:
    transactions = [
        tx(metadata={"fees": 150}),
        tx(metadata={"fees": 25}),
        tx(metadata={"fees": 1.5}),
        tx(metadata={"fees": "30"}),
        tx(metadata={"fees": True}),
        tx(),
        tx(metadata={"fees": 1000}, at=NOW - timedelta(days=8)),
    ]
    assert dashboard(transactions).totals.fees_total == 175


def test_every_status_and_type_is_counted_even_when_absent() -> None:
    board = dashboard([tx(kind=TransactionType.PAYMENT), tx(kind=TransactionType.PAYMENT)])
    assert board.counts_by_status == {"pending": 0, "completed": 2, "failed": 0}
    assert board.counts_by_type == {"transfer": 0, "payment": 2, "remittance": 0}
    assert board.counts_by_currency == {"USDC": 2}


def test_corridors_are_ranked_by_count_then_route() -> None:
    transactions = [
        tx("1", route=("ZA", "GH")),
        tx("2", "XLM", route=("KE", "NG")),
        tx("3", route=("KE", "NG")),
        tx("4", route=("GH", "ZA")),
        tx("5", route=("KE", "NG")),
    ]
    board = dashboard(transactions)
    ranked = [(c.from_country, c.to_country, c.count) for c in board.corridors]
    assert ranked == [("KE", "NG", 3), ("GH", "ZA", 1), ("ZA", "GH", 1)]
    assert board.corridors[0].volume == {"USDC": Decimal("8"), "XLM": Decimal("2")}


def test_offset_and_naive_times_are_read_as_utc() -> None:
    lagos_evening = datetime(2026, 11, 21, 0, 30, tzinfo=timezone(timedelta(hours=1)))
    naive_morning = datetime(2026, 11, 21, 9, 0)
    board = dashboard([tx(at=lagos_evening), tx(at=naive_morning)], now=NOW.replace(tzinfo=None))

    counts = {day.date: day.count for day in board.daily}
    assert counts[date(2026, 11, 20)] == 1  # 23:30 UTC the day before
    assert counts[date(2026, 11, 21)] == 1
    assert board.generated_at == NOW
    assert board.period_end == WEEK_END


def test_accounts_are_counted_as_they_are_now() -> None:
    accounts = [
        account("NG", verified=True),
        account("NG", AccountType.MERCHANT, active=False),
        account("KE", AccountType.BUSINESS, verified=True),
    ]
    figures = dashboard(accounts=accounts).accounts
    assert (figures.total, figures.active, figures.verified) == (3, 2, 2)
    assert figures.by_country == {"KE": 1, "NG": 2}
    assert figures.by_type == {"user": 1, "business": 1, "merchant": 1}


def test_compliance_counts_current_states_and_flags_raised_in_the_period() -> None:
    flags = [
        flag(FlagStatus.OPEN),
        flag(FlagStatus.IN_REVIEW, FlagType.KYC, at=WEEK_START),
        flag(FlagStatus.RESOLVED, at=NOW - timedelta(days=30)),
        flag(FlagStatus.OPEN, FlagType.SANCTIONS, at=NOW - timedelta(days=8)),
    ]
    figures = dashboard(flags=flags).compliance
    assert figures.raised_in_period == 2
    assert (figures.open, figures.in_review, figures.resolved) == (2, 1, 1)
    assert figures.by_type == {"aml": 2, "kyc": 1, "sanctions": 1, "risk": 0}


def test_an_empty_sandbox_has_zero_figures_and_every_day() -> None:
    board = dashboard()
    assert board.totals.transactions == 0
    assert board.volume_by_currency == [] and board.corridors == []
    assert len(board.daily) == 8 and all(day.volume == {} for day in board.daily)
    assert board.accounts.total == 0 and board.compliance.raised_in_period == 0


def test_records_given_as_one_shot_iterators_are_read_once() -> None:
    def once(items: list[Any]) -> Iterator[Any]:
        yield from items

    board = compute_dashboard(
        once([tx("1"), tx("2")]),
        once([flag()]),
        once([account()]),
        period=WEEK,
        now=NOW,
    )
    assert board.totals.transactions == 2
    assert board.compliance.raised_in_period == board.compliance.open == 1
    assert board.accounts.total == 1


def test_dashboard_fields_keep_their_contract_names() -> None:
    body = as_json(dashboard([tx()], [flag()], [account()]))
    assert list(body) == [
        "time_period",
        "period_start",
        "period_end",
        "generated_at",
        "totals",
        "volume_by_currency",
        "counts_by_status",
        "counts_by_type",
        "counts_by_currency",
        "corridors",
        "daily",
        "accounts",
        "compliance",
    ]
    assert body["time_period"] == "7d"
    assert set(body["totals"]) == {
        "transactions",
        "completed",
        "pending",
        "failed",
        "success_rate",
        "fees_total",
    }
    assert set(body["volume_by_currency"][0]) == {
        "currency",
        "count",
        "total_amount",
        "completed_amount",
        "average_amount",
    }
    assert set(body["corridors"][0]) == {"from_country", "to_country", "count", "volume"}
    assert set(body["daily"][0]) == {"date", "count", "completed", "volume"}
    assert set(body["accounts"]) == {"total", "active", "verified", "by_country", "by_type"}
    assert set(body["compliance"]) == {
        "raised_in_period",
        "open",
        "in_review",
        "resolved",
        "by_type",
    }


# ------------------------------------------------------------------ property-style


def random_transaction(rng: random.Random, start: datetime, end: datetime) -> Transaction:
    # Spill a day either side of the window so filtering is exercised too.
    earliest, latest = start - timedelta(days=1), end + timedelta(days=1)
    span = int((latest - earliest).total_seconds() * 1_000_000)
    at = rng.choice([start, end, earliest + timedelta(microseconds=rng.randint(0, span))])
    amount = Decimal(rng.randint(1, 10**12)).scaleb(-rng.randint(0, 7))
    return tx(
        amount,
        rng.choice(CURRENCIES[:4]),
        status=rng.choice(list(TransactionStatus)),
        kind=rng.choice(list(TransactionType)),
        at=at,
        route=(rng.choice(COUNTRIES[:3]), rng.choice(COUNTRIES[:3])),
    )


@pytest.mark.parametrize("seed", range(40))
def test_figures_agree_with_each_other_for_random_ledgers(seed: int) -> None:
    rng = random.Random(seed)
    period = TimePeriod.parse(rng.choice(["1h", "24h", "7d", "30d"]))
    now = NOW - timedelta(seconds=rng.randint(0, 86_400))
    start, end = period.window(now)
    transactions = [random_transaction(rng, start, end) for _ in range(rng.randint(0, 80))]

    board = dashboard(transactions, period=period, now=now)

    in_window = [t for t in transactions if start <= t.created_at <= end]
    assert_adds_up(board, in_window)
    assert board.daily[0].date == start.date() and board.daily[-1].date == now.date()
    assert len(board.daily) == (now.date() - start.date()).days + 1
