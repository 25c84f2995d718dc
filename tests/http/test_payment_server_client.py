"""The manager's payment-server client against the bundled payment server (local runtime)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from decimal import Decimal

import pytest

from sandbox_common.config import get_settings
from sandbox_common.manager.payment_server import (
    CreditsRefused,
    HttpPaymentServer,
    PaymentServerUnavailable,
    payment_server,
)
from tests.http.drivers import new_developer_key


def new_customer(client, admin_key: str, credits: str) -> str:
    customer = "cust_" + secrets.token_hex(6)
    granted = client.post(
        "/admin/credits",
        json={"customerId": customer, "amount": credits},
        headers={"Authorization": f"Bearer {admin_key}"},
    )
    assert granted.status_code == 200, granted.text
    return customer


@pytest.fixture
def payments(runtime, monkeypatch) -> Iterator[HttpPaymentServer]:
    """``payment_server()`` aimed at the runtime, its key read from the admin key's SSM
    parameter, as the persistence job is configured for the bundled server."""
    monkeypatch.setenv("PAYMENT_SERVER_URL", runtime.endpoint)
    monkeypatch.setenv("PAYMENT_SERVER_KEY_PARAMETER", os.environ["ADMIN_KEY_PARAMETER"])
    get_settings.cache_clear()
    yield payment_server()
    monkeypatch.undo()
    get_settings.cache_clear()


def test_a_charge_sent_twice_with_one_key_is_charged_once(client, admin_key, payments):
    customer = new_customer(client, admin_key, "5")
    key = f"{customer}:2026-11-30T06"

    first = payments.consume(customer, Decimal("0.2"), idempotency_key=key)
    again = payments.consume(customer, Decimal("0.2"), idempotency_key=key)

    assert (first.amount, first.credits, first.replayed) == (Decimal("0.2"), Decimal("4.8"), False)
    assert (again.amount, again.replayed) == (Decimal("0.2"), True)
    assert payments.credits(customer) == Decimal("4.8")


def test_amounts_travel_exactly_to_four_decimals(client, admin_key, payments):
    customer = new_customer(client, admin_key, "1")

    charged = payments.consume(customer, Decimal("0.3330"), idempotency_key=f"{customer}:a")
    charged_again = payments.consume(customer, Decimal("0.0001"), idempotency_key=f"{customer}:b")

    assert charged.credits == Decimal("0.667")
    assert charged_again.credits == Decimal("0.6669")
    assert payments.credits("cust_" + secrets.token_hex(6)) == 0  # never seen


def test_a_charge_the_credits_do_not_cover_is_refused_and_charges_nothing(
    client, admin_key, payments
):
    customer = new_customer(client, admin_key, "0.1")

    with pytest.raises(CreditsRefused) as refused:
        payments.consume(customer, Decimal("0.2"), idempotency_key=f"{customer}:p1")

    assert refused.value.code == "insufficient_credits"
    assert payments.credits(customer) == Decimal("0.1")


def test_one_key_for_two_different_charges_is_not_taken_as_charged(client, admin_key, payments):
    customer = new_customer(client, admin_key, "5")
    payments.consume(customer, Decimal(1), idempotency_key=f"{customer}:p1")

    with pytest.raises(PaymentServerUnavailable) as unavailable:
        payments.consume(customer, Decimal(2), idempotency_key=f"{customer}:p1")

    assert (unavailable.value.status, unavailable.value.code) == (409, "conflict")
    assert payments.credits(customer) == Decimal(4)


def test_a_key_that_is_not_an_admin_key_makes_the_server_unavailable(client, admin_key, runtime):
    customer = new_customer(client, admin_key, "5")
    developer = HttpPaymentServer(
        runtime.endpoint, new_developer_key(client, admin_key), timeout=5, retries=0
    )

    with pytest.raises(PaymentServerUnavailable, match="refused the key") as unavailable:
        developer.consume(customer, Decimal(1), idempotency_key=f"{customer}:p1")

    assert unavailable.value.status == 403
    balance = client.get(
        "/get-credits",
        params={"customerId": customer},
        headers={"Authorization": f"Bearer {admin_key}"},
    )
    assert balance.json()["data"]["credits"] == "5"
