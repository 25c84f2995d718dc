"""The payment server through its handler: balances, charges, grants and the credit ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.integration.payments.drivers import (
    ADMIN,
    consume,
    credits_of,
    grant,
    ledger_page,
    new_customer,
    whole_ledger,
)


def test_a_customer_never_seen_has_zero_credits_and_nothing_is_stored(invoke):
    customer = new_customer()
    status, body, _ = invoke(
        "payments", "payments/get_credits.json", caller=ADMIN, query={"customerId": customer}
    )
    assert status == 200
    assert body == {"success": True, "data": {"customerId": customer, "credits": "0"}}
    assert whole_ledger(invoke, customer) == []


def test_a_grant_adds_credits_and_answers_the_new_balance(invoke):
    customer = new_customer()
    first = grant(invoke, customer, "100.5")
    second = grant(invoke, customer, 20)
    assert first["credits"] == "100.5" and first["amount"] == "100.5"
    assert second["credits"] == "120.5" and second["amount"] == "20"
    assert credits_of(invoke, customer) == Decimal("120.5")


def test_a_consume_takes_the_amount_off_the_balance(invoke):
    customer = new_customer()
    grant(invoke, customer, 10)
    status, body, headers = consume(invoke, customer, 1.5)
    assert status == 200, body
    assert body["success"] is True
    assert body["data"]["customerId"] == customer
    assert body["data"]["amount"] == "1.5"
    assert body["data"]["credits"] == "8.5"
    assert "idempotent-replayed" not in headers
    assert credits_of(invoke, customer) == Decimal("8.5")


def test_a_consume_may_take_the_last_credit(invoke):
    customer = new_customer()
    grant(invoke, customer, "2.25")
    status, body, _ = consume(invoke, customer, "2.25")
    assert status == 200, body
    assert body["data"]["credits"] == "0"


def test_insufficient_credits_is_402_and_charges_nothing(invoke):
    customer = new_customer()
    grant(invoke, customer, 5)
    status, body, _ = consume(invoke, customer, "5.0001")
    assert status == 402
    assert body["success"] is False
    assert body["code"] == "insufficient_credits"
    assert credits_of(invoke, customer) == Decimal(5)
    assert [entry["kind"] for entry in whole_ledger(invoke, customer)] == ["grant"]


def test_a_customer_never_seen_cannot_be_charged(invoke):
    customer = new_customer()
    status, body, _ = consume(invoke, customer, "0.0001")
    assert status == 402
    assert body["code"] == "insufficient_credits"
    assert credits_of(invoke, customer) == 0
    assert whole_ledger(invoke, customer) == []


def test_a_consume_of_zero_is_400_and_changes_nothing(invoke):
    customer = new_customer()
    grant(invoke, customer, 3)
    status, body, _ = consume(invoke, customer, 0)
    assert status == 400, body
    assert body["code"] == "validation_error"
    assert credits_of(invoke, customer) == 3
    assert len(whole_ledger(invoke, customer)) == 1


def test_a_repeat_with_the_same_idempotency_key_charges_once(invoke):
    customer = new_customer()
    grant(invoke, customer, 10)
    key = f"{customer}:2026-11-22T09"
    first = consume(invoke, customer, 4, key=key)
    again = consume(invoke, customer, "4.00", key=key)
    assert first[0] == again[0] == 200
    assert "idempotent-replayed" not in first[2]
    assert again[2]["idempotent-replayed"] == "true"
    assert again[1]["data"]["entryId"] == first[1]["data"]["entryId"]
    assert again[1]["data"]["consumedAt"] == first[1]["data"]["consumedAt"]
    assert credits_of(invoke, customer) == Decimal(6)
    consumes = [entry for entry in whole_ledger(invoke, customer) if entry["kind"] == "consume"]
    assert len(consumes) == 1 and consumes[0]["idempotencyKey"] == key


def test_a_repeat_of_a_charge_that_emptied_the_balance_is_a_replay_not_a_refusal(invoke):
    customer = new_customer()
    grant(invoke, customer, 4)
    key = f"{customer}:2026-11-22T10"
    assert consume(invoke, customer, 4, key=key)[0] == 200
    status, body, headers = consume(invoke, customer, 4, key=key)
    assert status == 200, body
    assert headers["idempotent-replayed"] == "true"
    assert credits_of(invoke, customer) == 0


def test_the_same_idempotency_key_with_another_request_is_409_and_charges_nothing(invoke):
    customer, other = new_customer(), new_customer()
    grant(invoke, customer, 10)
    grant(invoke, other, 10)
    key = f"{customer}:2026-11-22T11"
    assert consume(invoke, customer, 1, key=key)[0] == 200
    for changed in ((customer, 2), (other, 1)):
        status, body, _ = consume(invoke, *changed, key=key)
        assert status == 409, body
        assert body["code"] == "conflict"
    assert credits_of(invoke, customer) == Decimal(9)
    assert credits_of(invoke, other) == Decimal(10)


def test_a_refused_charge_does_not_use_up_its_idempotency_key(invoke):
    customer = new_customer()
    key = f"{customer}:2026-11-22T12"
    assert consume(invoke, customer, 1, key=key)[0] == 402
    grant(invoke, customer, 1)
    status, body, headers = consume(invoke, customer, 1, key=key)
    assert status == 200, body
    assert "idempotent-replayed" not in headers
    assert credits_of(invoke, customer) == 0


def test_the_ledger_lists_every_change_newest_first_in_pages(invoke):
    customer = new_customer()
    grant(invoke, customer, 100)
    for amount in ("1", "2", "3", "4"):
        assert consume(invoke, customer, amount)[0] == 200
    status, first, cursor = ledger_page(invoke, customer, limit="2")
    assert status == 200 and len(first) == 2 and cursor
    entries = whole_ledger(invoke, customer, limit=2)
    assert entries[:2] == first
    assert [(entry["kind"], entry["amount"]) for entry in entries] == [
        ("consume", "4"),
        ("consume", "3"),
        ("consume", "2"),
        ("consume", "1"),
        ("grant", "100"),
    ]
    assert len({entry["entryId"] for entry in entries}) == 5
    assert all(entry["customerId"] == customer for entry in entries)


def test_a_ledger_cursor_of_another_customer_is_refused(invoke):
    customer, other = new_customer(), new_customer()
    for who in (customer, other):
        grant(invoke, who, 1)
        grant(invoke, who, 2)
    _, _, cursor = ledger_page(invoke, customer, limit="1")
    assert cursor
    status, body, _ = ledger_page(invoke, other, limit="1", cursor=cursor)
    assert status == 400
    assert body["code"] == "validation_error"


@pytest.mark.parametrize(
    ("event", "kwargs"),
    [
        ("payments/get_credits.json", {"query": {"customerId": "customer_123"}}),
        ("payments/consume_credits.json", {"body": {"customerId": "c1", "amount": 1}}),
        ("payments/grant_credits.json", {"body": {"customerId": "c1", "amount": 1}}),
        (
            "payments/list_credit_ledger.json",
            {"path_parameters": {"customerId": "c1"}, "query": {}},
        ),
    ],
)
def test_a_developer_key_is_refused_on_every_route(invoke, make_key, as_developer, event, kwargs):
    developer = as_developer(make_key())
    status, body, _ = invoke("payments", event, caller=developer, **kwargs)
    assert status == 403, body
    assert body["code"] == "forbidden"


def test_a_developer_key_cannot_grant_or_charge(invoke, make_key, as_developer):
    developer = as_developer(make_key())
    customer = new_customer()
    grant(invoke, customer, 5)
    status, _, _ = consume(invoke, customer, 5, caller=developer)
    assert status == 403
    assert credits_of(invoke, customer) == Decimal(5)
