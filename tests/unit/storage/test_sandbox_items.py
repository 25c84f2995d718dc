"""How ledger records become DynamoDB items and come back unchanged."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sandbox_common.ledger.models import Account
from sandbox_common.storage.sandbox_items import (
    DataScope,
    Kind,
    created_account_ts,
    from_item,
    ordinal_ts,
    time_ts,
    to_item,
)

ACCOUNT = Account.model_validate(
    {
        "id": "acc-1",
        "account_id": "0.0.12345",
        "network": "hedera",
        "account_type": "user",
        "country_code": "NG",
        "region": "Lagos",
        "holder_name": "Ada Obi",
        "metadata": {"fees": 3, "ratio": 0.5, "nested": {"n": 2}},
        "balances": {"USDC": "1000.00"},
        "created_at": datetime(2026, 1, 2, 3, 4, 5, 6000, tzinfo=UTC),
    }
)


LIVE = frozenset({"balances", "is_active"})


def test_a_record_round_trips_with_money_scale_and_ints_intact():
    item = to_item(ACCOUNT, live=LIVE, pk="p", sk="s", ts="t", expires_at=1)
    assert set(item) == {"pk", "sk", "ts", "expires_at", "doc", "balances", "is_active"}
    assert item["balances"] == {"USDC": Decimal("1000.00")}  # a number, for conditions
    back = from_item(Account, item)
    assert back == ACCOUNT
    assert back.model_dump(mode="json")["balances"] == {"USDC": "1000.00"}


def test_attributes_win_over_the_document():
    item = to_item(ACCOUNT, live=LIVE, pk="p", sk="s", ts="t", expires_at=1)
    # What DynamoDB returns after an in-place update: numbers as Decimal, a new attribute.
    item["balances"] = {"USDC": Decimal("999.50")}
    item["verification_status"] = "verified"
    back = from_item(Account, item)
    assert back.balances == {"USDC": Decimal("999.50")}
    assert back.verification_status == "verified"
    assert back.metadata == ACCOUNT.metadata


def test_numbers_in_free_form_attributes_come_back_as_ints_when_whole():
    item = to_item(ACCOUNT, pk="p", sk="s", ts="t", expires_at=1)
    item["metadata"] = {"fees": Decimal(3), "ratio": Decimal("0.5"), "nested": {"n": Decimal(2)}}
    assert from_item(Account, item).metadata == {
        "fees": 3,
        "ratio": Decimal("0.5"),
        "nested": {"n": 2},
    }


def test_partitions_separate_sandboxes_generations_and_kinds():
    keys = {
        DataScope("a", "g0").pk(Kind.ACCOUNT),
        DataScope("b", "g0").pk(Kind.ACCOUNT),
        DataScope("a", "g1").pk(Kind.ACCOUNT),
        DataScope("a", "g0").pk(Kind.TRANSACTION),
    }
    assert len(keys) == 4


def test_sort_values_order_generated_accounts_before_created_ones_and_times_as_times():
    created = created_account_ts(datetime(2020, 1, 1, tzinfo=UTC), "z")
    assert ordinal_ts(2) < ordinal_ts(10) < created
    early = time_ts(datetime(2026, 1, 1, 9, 0, 0, 5000, tzinfo=UTC), "b")
    late = time_ts(datetime(2026, 1, 1, 10, 0, tzinfo=UTC), "a")
    assert early < late


def test_filter_keys_are_not_record_fields():
    item = to_item(ACCOUNT, live=LIVE, pk="p", sk="s", ts="t", expires_at=1, ix1="NG#t")
    assert from_item(Account, item) == ACCOUNT
