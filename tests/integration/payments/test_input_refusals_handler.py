"""Bad input to the payment server is a 400 in the envelope, and stores nothing."""

from __future__ import annotations

import pytest

from tests.integration.payments.drivers import (
    ADMIN,
    consume,
    credits_of,
    grant,
    new_customer,
    whole_ledger,
)

BAD_AMOUNTS = [
    -1,
    "-1",
    "1e3",
    "1.00001",
    0.00001,
    1_000_000.0001,
    "10000000",
    True,
    None,
    "",
    "abc",
    "NaN",
    [1],
]


@pytest.mark.parametrize("amount", [*BAD_AMOUNTS, 0, "0", "0.0000"])
def test_a_bad_consume_amount_is_400_and_charges_nothing(invoke, amount):
    customer = new_customer()
    grant(invoke, customer, 10)
    status, body, _ = consume(invoke, customer, amount)
    assert status == 400, body
    assert body["code"] == "validation_error"
    assert credits_of(invoke, customer) == 10
    assert len(whole_ledger(invoke, customer)) == 1


@pytest.mark.parametrize("amount", [*BAD_AMOUNTS, 0, "0", "0.0000"])
def test_a_bad_grant_amount_is_400_and_grants_nothing(invoke, amount):
    customer = new_customer()
    status, body, _ = invoke(
        "payments",
        "payments/grant_credits.json",
        caller=ADMIN,
        body={"customerId": customer, "amount": amount},
    )
    assert status == 400, body
    assert body["code"] == "validation_error"
    assert credits_of(invoke, customer) == 0
    assert whole_ledger(invoke, customer) == []


@pytest.mark.parametrize("customer_id", ["", "a" * 101, "bad id", "x#y", "ü"])
def test_a_bad_customer_id_is_400_everywhere(invoke, customer_id):
    status, body, _ = consume(invoke, customer_id, 1)
    assert (status, body["code"]) == (400, "validation_error")
    status, body, _ = invoke(
        "payments",
        "payments/grant_credits.json",
        caller=ADMIN,
        body={"customerId": customer_id, "amount": 1},
    )
    assert (status, body["code"]) == (400, "validation_error")
    status, body, _ = invoke(
        "payments", "payments/get_credits.json", caller=ADMIN, query={"customerId": customer_id}
    )
    assert (status, body["code"]) == (400, "validation_error")


def test_get_credits_without_a_customer_is_400(invoke):
    status, body, _ = invoke("payments", "payments/get_credits.json", caller=ADMIN, query={})
    assert (status, body["code"]) == (400, "validation_error")


def test_unknown_body_fields_are_refused(invoke):
    customer = new_customer()
    grant(invoke, customer, 5)
    status, body, _ = invoke(
        "payments",
        "payments/consume_credits.json",
        caller=ADMIN,
        body={"customerId": customer, "amount": 1, "currency": "USD"},
    )
    assert (status, body["code"]) == (400, "validation_error")
    assert credits_of(invoke, customer) == 5


@pytest.mark.parametrize("key", ["", "has space", "k" * 129, "semi;colon"])
def test_a_bad_idempotency_key_is_400_and_charges_nothing(invoke, key):
    customer = new_customer()
    grant(invoke, customer, 5)
    status, body, _ = consume(invoke, customer, 1, key=key)
    assert (status, body["code"]) == (400, "validation_error")
    assert credits_of(invoke, customer) == 5


def test_a_grant_past_the_balance_ceiling_is_409_and_grants_nothing(invoke, monkeypatch):
    from sandbox_common.payments import credits

    customer = new_customer()
    monkeypatch.setattr(credits, "MAX_BALANCE", 15)
    grant(invoke, customer, 10)
    status, body, _ = invoke(
        "payments",
        "payments/grant_credits.json",
        caller=ADMIN,
        body={"customerId": customer, "amount": 6},
    )
    assert (status, body["code"]) == (409, "conflict")
    assert credits_of(invoke, customer) == 10
    assert len(whole_ledger(invoke, customer)) == 1


def test_a_bad_ledger_query_is_400(invoke):
    from tests.integration.payments.drivers import ledger_page

    for query in ({"limit": "0"}, {"limit": "101"}, {"cursor": "not-a-cursor"}, {"sort": "x"}):
        status, body, _ = ledger_page(invoke, new_customer(), **query)
        assert (status, body["code"]) == (400, "validation_error"), query
