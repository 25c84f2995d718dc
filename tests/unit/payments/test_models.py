"""The credit amount rules and the payment server's request models, without AWS."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from sandbox_common.payments.models import (
    IDEMPOTENCY_KEY_PATTERN,
    MAX_AMOUNT,
    CreditCharge,
    CreditsConsume,
    CreditsGrant,
    credits_text,
    parse_amount,
)

_AMOUNTS = st.decimals(min_value=0, max_value=MAX_AMOUNT, places=4, allow_nan=False)


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        (1.5, "1.5"),
        ("1.5", "1.5"),
        ("1.5000", "1.5"),
        (100, "100"),
        ("100", "100"),
        (Decimal("1E+2"), "100"),
        (0, "0"),
        ("0.0001", "0.0001"),
        (1_000_000, "1000000"),
        ("1000000.0000", "1000000"),
    ],
)
def test_an_amount_is_kept_exactly_in_one_form(sent, kept):
    assert credits_text(parse_amount(sent)) == kept


@pytest.mark.parametrize(
    ("sent", "reason"),
    [
        (True, "boolean"),
        (-1, "negative"),
        ("-1", "decimal string"),
        ("1e3", "decimal string"),
        (" 1", "decimal string"),
        ("1.00001", "decimal string"),
        (0.00001, "4 decimals"),
        (0.1 + 0.2, "4 decimals"),
        (float("inf"), "finite"),
        (float("nan"), "finite"),
        (Decimal("NaN"), "finite"),
        (1_000_000.0001, "at most 1000000"),
        (10**30, "at most 1000000"),
        (None, "number or a decimal string"),
        ([1], "number or a decimal string"),
    ],
)
def test_an_amount_outside_the_rules_is_refused_with_the_reason(sent, reason):
    with pytest.raises(ValueError, match=reason):
        parse_amount(sent)


@given(_AMOUNTS)
def test_every_amount_within_the_rules_reads_back_from_its_text(amount):
    parsed = parse_amount(credits_text(amount))
    assert parsed == amount
    assert "E" not in credits_text(parsed)


@given(_AMOUNTS.filter(lambda amount: amount > 0))
def test_a_number_and_its_text_are_the_same_request(amount):
    as_text = CreditsConsume(customer_id="c1", amount=format(amount, "f"))
    as_number = CreditsConsume.model_validate({"customerId": "c1", "amount": str(amount)})
    assert as_text.fingerprint() == as_number.fingerprint()


def test_a_fingerprint_tells_customers_and_amounts_apart():
    base = CreditsConsume(customer_id="c1", amount=Decimal(1))
    assert base.fingerprint() == CreditsConsume(customer_id="c1", amount="1.00").fingerprint()
    assert base.fingerprint() != CreditsConsume(customer_id="c2", amount=1).fingerprint()
    assert base.fingerprint() != CreditsConsume(customer_id="c1", amount=2).fingerprint()


@pytest.mark.parametrize("model", [CreditsConsume, CreditsGrant])
@pytest.mark.parametrize("amount", [0, "0", "0.0000"])
def test_neither_a_consume_nor_a_grant_may_be_zero(model, amount):
    with pytest.raises(ValidationError, match="greater than 0"):
        model.model_validate({"customerId": "c1", "amount": amount})


@pytest.mark.parametrize("customer_id", ["", "a" * 101, "with space", "a#b", "ü"])
def test_a_customer_id_outside_the_pattern_is_refused(customer_id):
    with pytest.raises(ValidationError):
        CreditsConsume.model_validate({"customerId": customer_id, "amount": 1})


def test_unknown_fields_are_refused():
    with pytest.raises(ValidationError):
        CreditsConsume.model_validate({"customerId": "c1", "amount": 1, "currency": "USD"})


def test_answers_carry_amounts_as_decimal_strings_in_camel_case():
    charge = CreditCharge(
        customer_id="c1",
        amount=Decimal("1.50"),
        credits=Decimal("1E+1"),
        entry_id=None,
        consumed_at="2026-01-30T16:55:00.000Z",
    )
    assert charge.model_dump(mode="json", by_alias=True) == {
        "customerId": "c1",
        "amount": "1.5",
        "credits": "10",
        "entryId": None,
        "consumedAt": "2026-01-30T16:55:00.000Z",
    }


def test_idempotency_keys_follow_the_ledgers_transfers():
    from sandbox_common.ledger.transfers import IDEMPOTENCY_KEY_PATTERN as TRANSFERS

    assert IDEMPOTENCY_KEY_PATTERN == TRANSFERS
