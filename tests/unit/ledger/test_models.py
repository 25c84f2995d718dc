"""Ledger request models: money is Decimal, bad input is refused before any work."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from sandbox_common.ledger.models import AccountCreate, TransferCreate

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
