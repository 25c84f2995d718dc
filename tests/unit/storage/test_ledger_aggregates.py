"""How the dashboard's figures become DynamoDB writes: bounded transactions and updates."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sandbox_common.analytics.aggregates import bucket_deltas, bucket_keys
from sandbox_common.ledger.models import Transaction, TransactionStatus, TransactionType
from sandbox_common.storage.ledger_aggregates import (
    MAX_FIGURES_PER_UPDATE,
    MAX_TRANSACTION_WRITES,
    bucket_updates,
    transaction_batches,
)
from sandbox_common.storage.sandbox_items import DataScope

START = datetime(2026, 11, 20, tzinfo=UTC)
COUNTRIES = ("NG", "KE", "ZA", "GH", "UG", "TZ", "ET", "MA", "EG", "TN")
CURRENCIES = ("USDC", "USDT", "XLM", "HBAR", "NGN", "KES", "ZAR", "GHS")
_ids = itertools.count(1)


def tx(at: datetime, route: tuple[str, str] = ("NG", "KE"), currency: str = "USDC") -> Transaction:
    return Transaction(
        id=f"tx_{next(_ids):06d}",
        from_account_id="a",
        to_account_id="b",
        amount=Decimal("1.5"),
        currency=currency,
        transaction_type=TransactionType.PAYMENT,
        status=TransactionStatus.COMPLETED,
        from_country_code=route[0],
        to_country_code=route[1],
        description="d",
        metadata={"fees": 2},
        created_at=at,
    )


def writes_of(batch: list[Transaction]) -> int:
    """Puts, bucket updates and the count update of one batch's transaction."""
    return len(batch) + len(bucket_deltas(batch)) + 1


def test_spread_out_transactions_are_cut_to_fit_one_transaction_each() -> None:
    # One transaction an hour: every one brings a new hour bucket (and a day bucket a day).
    transactions = [tx(START + timedelta(hours=n)) for n in range(500)]

    batches = list(transaction_batches(transactions, other_writes=1))

    assert [t.id for batch in batches for t in batch] == [t.id for t in transactions]
    assert all(writes_of(batch) <= MAX_TRANSACTION_WRITES for batch in batches)
    assert max(writes_of(batch) for batch in batches) >= MAX_TRANSACTION_WRITES - 2


def test_a_busy_hour_is_cut_before_its_bucket_update_outgrows_an_expression() -> None:
    # Every corridor in every currency within one hour: 800 distinct volume figures.
    routes = list(itertools.product(COUNTRIES, COUNTRIES))
    transactions = [
        tx(START + timedelta(seconds=n), route, currency)
        for n, (route, currency) in enumerate(itertools.product(routes, CURRENCIES))
    ]

    batches = list(transaction_batches(transactions, other_writes=1))

    assert sum(len(batch) for batch in batches) == len(transactions)
    for batch in batches:
        assert writes_of(batch) <= MAX_TRANSACTION_WRITES
        for figures in bucket_deltas(batch).values():
            assert len(figures) <= MAX_FIGURES_PER_UPDATE


def test_transactions_are_batched_in_creation_order() -> None:
    late, early = tx(START + timedelta(days=2)), tx(START)
    assert list(transaction_batches([late, early], other_writes=1)) == [[early, late]]


def test_a_bucket_update_adds_each_figure_and_keeps_the_records_expiry() -> None:
    scope = DataScope("sb_1", "g1")
    transaction = tx(datetime(2026, 11, 30, 1, 15, tzinfo=UTC))
    updates = bucket_updates("ledger", scope, bucket_deltas([transaction]), 1_900_000_000)

    assert [u["Update"]["Key"] for u in updates] == [
        {"pk": "sb_1#g1#agg_day", "sk": "2026-11-30"},
        {"pk": "sb_1#g1#agg_hour", "sk": "2026-11-30T01"},
    ]
    update = updates[0]["Update"]
    assert update["UpdateExpression"].startswith("SET expires_at = :expires_at ADD #f0 :f0, ")
    added = {
        update["ExpressionAttributeNames"][f"#f{n}"]: update["ExpressionAttributeValues"][f":f{n}"]
        for n in range(len(update["ExpressionAttributeNames"]))
    }
    assert added["v#USDC"] == 15_000_000 and added["c#NG>KE"] == 1 and added["fees"] == 2
    assert update["ExpressionAttributeValues"][":expires_at"] == 1_900_000_000
    assert bucket_keys(transaction.created_at)[0][1] == "2026-11-30T01"
