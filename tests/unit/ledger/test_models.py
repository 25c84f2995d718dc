"""Ledger request models: money is Decimal, bad input is refused before any work."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from sandbox_common.ledger.models import AccountCreate, TransactionFilter, TransferCreate

BODY = {"from_account_id": "a", "to_account_id": "b", "amount": "1", "currency": "usdc"}


def test_amounts_are_exact_decimals_whatever_json_type_they_arrive_as():
    assert TransferCreate.model_validate({**BODY, "amount": 0.1}).amount == Decimal("0.1")
    assert TransferCreate.model_validate({**BODY, "amount": "1000.5"}).amount == Decimal("1000.5")
    assert TransferCreate.model_validate(BODY).currency == "USDC"


def test_money_leaves_as_fixed_point_text():
    transfer = TransferCreate.model_validate({**BODY, "amount": "1E+3"})
    assert transfer.model_dump(mode="json")["amount"] == "1000"


@pytest.mark.parametrize(
    "amount", ["NaN", "Infinity", "-1", "0", "1e13", "0.00000001", "ten", True, None, [1]]
)
def test_bad_amounts_are_refused(amount):
    with pytest.raises(ValidationError):
        TransferCreate.model_validate({**BODY, "amount": amount})


@pytest.mark.parametrize("currency", ["EUR", "", "US", "USDCC1"])
def test_unknown_currencies_are_refused(currency):
    with pytest.raises(ValidationError):
        TransferCreate.model_validate({**BODY, "currency": currency})


def test_account_creation_checks_country_and_balances():
    assert AccountCreate.model_validate({"country_code": "ke"}).country_code == "KE"
    for body in (
        {"country_code": "FR"},
        {"country_code": "KE", "opening_balances": {"EUR": "1"}},
        {"country_code": "KE", "metadata": {str(i): i for i in range(21)}},
    ):
        with pytest.raises(ValidationError):
            AccountCreate.model_validate(body)


def _nested(levels: int) -> dict:
    value: dict = {"leaf": 1}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


@pytest.mark.parametrize(
    "metadata",
    [
        _nested(900),  # once a 500: serialising it for storage overflowed the depth limit
        _nested(6),
        {"note": "x" * 5000},
        {"score": float("nan")},
        {"score": float("inf")},
    ],
)
def test_account_metadata_is_bounded_in_depth_size_and_finite(metadata):
    with pytest.raises(ValidationError, match="metadata"):
        AccountCreate.model_validate({"country_code": "KE", "metadata": metadata})


def test_account_metadata_within_bounds_is_kept_as_sent():
    metadata = {"crm": {"segment": "retail", "tags": ["vip", {"since": 2024}]}, "ref": 10**30}
    account = AccountCreate.model_validate({"country_code": "KE", "metadata": metadata})
    assert account.metadata == metadata


@pytest.mark.parametrize(
    "query",
    [
        {"until": "0.5"},  # once a unix time to pydantic
        {"since": "1700000000"},
        {"since": "2026-11-20"},
        {"until": "2026-11-20T00:00:00"},
        {"since": "0001-01-01T00:00:00+14:00"},  # once a 500 (overflow converting to UTC)
        {"until": "9999-12-31T23:59:59-14:00"},
    ],
)
def test_transaction_time_bounds_are_iso_8601_with_a_timezone_in_range(query):
    with pytest.raises(ValidationError):
        TransactionFilter.model_validate(query)


def test_transaction_time_bounds_in_any_offset_are_compared_as_instants():
    query = TransactionFilter.model_validate(
        {"since": "2026-11-20T02:00:00+03:00", "until": "2026-11-19T23:00:00Z"}
    )
    assert query.since == query.until
