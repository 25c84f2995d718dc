"""Which index answers a listing, over which key range, and what is left to filter."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sandbox_common.errors import InvalidInput
from sandbox_common.ledger.models import AccountFilter, FlagFilter, Transaction, TransactionFilter
from sandbox_common.pagination import decode_cursor, encode_cursor, listing_scope
from sandbox_common.storage.listing_plan import (
    MAX_BUDGET,
    MIN_BUDGET,
    KeyRange,
    ListingSpec,
    checked_position,
    cursor_payload,
    key_value,
    plan_listing,
)
from sandbox_common.storage.sandbox_items import LISTINGS, Kind, time_ts

ACCOUNTS, TRANSACTIONS, FLAGS = (LISTINGS[k] for k in (Kind.ACCOUNT, Kind.TRANSACTION, Kind.FLAG))
TOP = "\x7f"


def test_no_filter_reads_the_time_index_whole():
    plan = plan_listing(ACCOUNTS, AccountFilter().conditions())
    assert plan.streams == (KeyRange("by_time", "ts", None, None),)
    assert not plan.newest_first and not plan.residual


def test_the_most_selective_indexed_filter_is_the_key_and_the_rest_residual():
    where = AccountFilter(network="hedera", country_code="ke", is_active=True)
    plan = plan_listing(ACCOUNTS, where.conditions())
    assert plan.streams == (KeyRange("by_ix1", "ix1", "KE#", "KE#" + TOP),)
    assert plan.residual == {"network", "is_active"}


def test_booleans_and_enums_are_keyed_by_their_text():
    plan = plan_listing(ACCOUNTS, AccountFilter(is_active=False).conditions())
    assert plan.streams == (KeyRange("by_ix4", "ix4", "false#", "false#" + TOP),)
    assert key_value(True) == "true" and key_value(Kind.FLAG) == "flag"


def test_an_account_filter_on_transactions_merges_both_sides():
    plan = plan_listing(
        TRANSACTIONS, TransactionFilter(account_id="a", status="failed").conditions()
    )
    assert [(s.index, s.low) for s in plan.streams] == [("by_ix3", "a#"), ("by_ix4", "a#")]
    assert plan.newest_first and plan.residual == {"status"}


def test_transaction_type_alone_is_residual_over_the_time_index():
    plan = plan_listing(TRANSACTIONS, TransactionFilter(transaction_type="payment").conditions())
    assert plan.streams[0].index == "by_time" and plan.residual == {"transaction_type"}


def test_a_time_range_is_a_key_range_with_until_inclusive():
    since = datetime(2026, 1, 1, tzinfo=UTC)
    until = datetime(2026, 1, 2, tzinfo=UTC)
    where = TransactionFilter(currency="USDC", since=since, until=until)
    (stream,) = plan_listing(TRANSACTIONS, where.conditions()).streams
    assert stream.low == "USDC#2026-01-01T00:00:00.000Z"
    assert stream.high == "USDC#2026-01-02T00:00:00.000Z~"
    at_until = time_ts(until, "ffffffff-ffff")
    assert stream.low <= "USDC#" + at_until <= stream.high
    assert not plan_listing(TRANSACTIONS, where.conditions()).residual


def test_a_cursor_narrows_the_range_toward_the_unread_side():
    newest_first = plan_listing(TRANSACTIONS, {"status": "pending"}, after="2026-05#x")
    assert newest_first.streams[0].high == "pending#2026-05#x"
    oldest_first = plan_listing(ACCOUNTS, {}, after="000000007")
    assert oldest_first.streams[0] == KeyRange("by_time", "ts", "000000007", None)


def test_a_cursor_outside_the_time_range_leaves_nothing_to_read():
    where = TransactionFilter(since=datetime(2026, 6, 1, tzinfo=UTC))
    plan = plan_listing(TRANSACTIONS, where.conditions(), after="2026-01-01T00:00:00.000Z#x")
    assert plan.streams == ()


@pytest.mark.parametrize(
    ("limit", "budget"), [(1, MIN_BUDGET), (20, MIN_BUDGET), (50, 200), (100, MAX_BUDGET)]
)
def test_residual_filters_read_a_bounded_budget(limit, budget):
    plan = plan_listing(FLAGS, FlagFilter(status="open", severity="low").conditions())
    assert plan.read_budget(limit) == budget


def test_without_residual_filters_a_page_reads_about_its_size():
    assert plan_listing(FLAGS, {"status": "open"}).read_budget(20) == 22
    merged = plan_listing(TRANSACTIONS, {"account_id": "a"})
    assert merged.read_budget(20) == 2 * 22


def test_records_carry_one_filter_key_per_slot_at_their_position():
    transaction = Transaction.model_validate(
        {
            "id": "t1",
            "from_account_id": "a",
            "to_account_id": "b",
            "amount": "5",
            "currency": "KES",
            "transaction_type": "payment",
            "status": "pending",
            "from_country_code": "KE",
            "to_country_code": "KE",
            "description": "d",
            "created_at": datetime(2026, 1, 1, tzinfo=UTC),
        }
    )
    ts = time_ts(transaction.created_at, transaction.id)
    assert TRANSACTIONS.index_attributes(transaction, ts) == {
        "ix1": f"pending#{ts}",
        "ix2": f"KES#{ts}",
        "ix3": f"a#{ts}",
        "ix4": f"b#{ts}",
    }


def test_a_spec_must_name_existing_slots_and_fields():
    with pytest.raises(ValueError):
        ListingSpec(newest_first=True, slots={"a": "ix9"}, indexed={})
    with pytest.raises(ValueError):
        ListingSpec(newest_first=True, slots={"a": "ix1"}, indexed={"b": ("b",)})


def test_a_cursor_round_trips_bound_to_sandbox_kind_and_filters():
    scope = listing_scope("sb_1", "txn", TransactionFilter(status="failed").conditions())
    cursor = encode_cursor(cursor_payload("2026-01-01T00:00:00.000Z#t1"), scope)
    assert checked_position(decode_cursor(cursor, scope)) == "2026-01-01T00:00:00.000Z#t1"
    assert encode_cursor(cursor_payload(None), scope) is None
    for other in (
        listing_scope("sb_2", "txn", {"status": "failed"}),
        listing_scope("sb_1", "flag", {"status": "failed"}),
        listing_scope("sb_1", "txn", {"status": "pending"}),
        listing_scope("sb_1", "txn", {}),
    ):
        with pytest.raises(InvalidInput):
            decode_cursor(cursor, other)


def test_page_size_is_not_part_of_the_filters():
    assert TransactionFilter(limit=5, cursor="c", currency="USDC").conditions() == {
        "currency": "USDC"
    }


@pytest.mark.parametrize(
    "decoded",
    [{}, {"p": ""}, {"p": "a" * 201}, {"p": "a\nb"}, {"p": "a\x7f"}, {"p": "x", "q": "y"}],
)
def test_a_cursor_position_must_be_one_plausible_sort_value(decoded):
    with pytest.raises(InvalidInput):
        checked_position(decoded)
