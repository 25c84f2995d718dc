"""The payment-server client against a real HTTP server that fails on purpose."""

from __future__ import annotations

import socket
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
from sandbox_common.payments.models import parse_amount
from tests.unit.manager.fake_payment_server import (
    FaultInjectingServer,
    TrackedHTTPServer,
    charge,
    envelope,
    error_envelope,
    running_server,
)

KEY = "sk_sandbox_" + "k" * 43
CUSTOMER = "cust_1"
# Short enough that a stalled answer costs the test a fraction of a second.
TIMEOUT = 0.2


@pytest.fixture(scope="module")
def http_server() -> Iterator[TrackedHTTPServer]:
    with running_server() as server:
        yield server


@pytest.fixture
def server(http_server: TrackedHTTPServer) -> Iterator[FaultInjectingServer]:
    http_server.clear()
    fake = FaultInjectingServer(http_server)
    yield fake
    fake.release()


def client(server: FaultInjectingServer, *, key: str | None = KEY, retries: int = 2):
    # No backoff: the retries are what is tested, not the pauses between them.
    return HttpPaymentServer(server.url("/v1"), key, timeout=TIMEOUT, retries=retries, backoff=0)


# ---------------------------------------------------------------- answers


def test_credits_are_read_as_an_exact_decimal_with_the_key_sent(server):
    server.http.expect_request("/v1/get-credits").respond_with_json(
        envelope(customerId=CUSTOMER, credits="12.3456")
    )

    assert client(server).credits(CUSTOMER) == Decimal("12.3456")

    (request,) = server.requests
    assert request.method == "GET"
    assert request.args.to_dict() == {"customerId": CUSTOMER}
    assert request.headers["Authorization"] == f"Bearer {KEY}"


def test_no_authorization_header_is_sent_without_a_key(server):
    server.http.expect_request("/v1/get-credits").respond_with_json(
        envelope(customerId=CUSTOMER, credits="0")
    )

    assert client(server, key=None).credits(CUSTOMER) == Decimal("0")

    (request,) = server.requests
    assert "Authorization" not in request.headers


@pytest.mark.parametrize("amount", ["1.5", "1.50", "0.0001", "1E+2", "0", "999999.9999"])
def test_consume_sends_the_amount_as_exact_decimal_text_with_the_idempotency_key(server, amount):
    sent = Decimal(amount)
    server.http.expect_request("/v1/consume-credits", method="POST").respond_with_json(
        charge(CUSTOMER, format(sent.normalize(), "f"), "8.5")
    )

    result = client(server).consume(CUSTOMER, sent, idempotency_key="cust_1:2026-11-30T06")

    assert (result.amount, result.credits, result.replayed) == (sent, Decimal("8.5"), False)
    (request,) = server.requests
    assert request.headers["Idempotency-Key"] == "cust_1:2026-11-30T06"
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    (body,) = server.bodies()
    assert body["customerId"] == CUSTOMER
    assert isinstance(body["amount"], str)  # never a float
    assert parse_amount(body["amount"]) == sent  # what the bundled server reads


def test_a_replayed_charge_is_reported_as_replayed(server):
    server.http.expect_request("/v1/consume-credits").respond_with_json(
        charge(CUSTOMER, "2", "3"), headers={"Idempotent-Replayed": "true"}
    )

    result = client(server).consume(CUSTOMER, Decimal(2), idempotency_key="k1")

    assert result.replayed is True
    assert result.credits == Decimal(3)


def test_numbers_in_an_answer_are_read_exactly(server):
    server.http.expect_request("/v1/get-credits").respond_with_data(
        '{"success": true, "data": {"customerId": "cust_1", "credits": 0.1}}',
        content_type="application/json",
    )

    assert client(server).credits(CUSTOMER) == Decimal("0.1")


@pytest.mark.parametrize("amount", [Decimal(-1), Decimal("NaN"), Decimal("Infinity")])
def test_an_impossible_charge_is_refused_before_anything_is_sent(server, amount):
    with pytest.raises(ValueError):
        client(server).consume(CUSTOMER, amount, idempotency_key="k1")
    assert server.requests == []


# ---------------------------------------------------------------- refusals


def test_insufficient_credits_is_a_refusal_and_is_not_retried(server):
    server.http.expect_request("/v1/consume-credits").respond_with_json(
        error_envelope("insufficient_credits", "0.1 credits left, 0.2 needed"), status=402
    )

    with pytest.raises(CreditsRefused) as refused:
        client(server).consume(CUSTOMER, Decimal("0.2"), idempotency_key="k1")

    assert refused.value.message == "0.1 credits left, 0.2 needed"
    assert refused.value.code == "insufficient_credits"
    assert len(server.requests) == 1


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_key_makes_the_server_unavailable_without_retrying(server, status):
    server.http.expect_request("/v1/get-credits").respond_with_json(
        error_envelope("forbidden", "admin key required"), status=status
    )

    with pytest.raises(PaymentServerUnavailable, match="refused the key") as unavailable:
        client(server).credits(CUSTOMER)

    assert (unavailable.value.status, unavailable.value.code) == (status, "forbidden")
    assert len(server.requests) == 1


def test_an_idempotency_key_used_for_another_charge_is_unavailable_with_its_code(server):
    server.http.expect_request("/v1/consume-credits").respond_with_json(
        error_envelope("conflict", "This Idempotency-Key was used with a different request"),
        status=409,
    )

    with pytest.raises(PaymentServerUnavailable) as unavailable:
        client(server).consume(CUSTOMER, Decimal(1), idempotency_key="k1")

    assert (unavailable.value.status, unavailable.value.code) == (409, "conflict")
    assert len(server.requests) == 1


# ---------------------------------------------------------------- faults and retries


def test_server_errors_are_retried_until_an_answer_comes(server):
    for status in (503, 500):
        server.http.expect_ordered_request("/v1/consume-credits").respond_with_json(
            error_envelope("internal_error", "try again"), status=status
        )
    server.http.expect_ordered_request("/v1/consume-credits").respond_with_json(
        charge(CUSTOMER, "1", "4")
    )

    result = client(server, retries=2).consume(CUSTOMER, Decimal(1), idempotency_key="k1")

    assert result.credits == Decimal(4)
    assert len(server.requests) == 3
    # Every attempt carries the same key, so the server charges at most one of them.
    assert {r.headers["Idempotency-Key"] for r in server.requests} == {"k1"}


def test_server_errors_beyond_the_retries_make_the_server_unavailable(server):
    server.http.expect_request("/v1/get-credits").respond_with_json(
        error_envelope("upstream_error", "down"), status=502
    )

    with pytest.raises(PaymentServerUnavailable) as unavailable:
        client(server, retries=2).credits(CUSTOMER)

    assert (unavailable.value.status, unavailable.value.code) == (502, "upstream_error")
    assert len(server.requests) == 3


def test_a_stalled_answer_times_out_as_unavailable(server):
    server.http.expect_request("/v1/get-credits").respond_with_handler(server.stall())

    with pytest.raises(PaymentServerUnavailable, match="did not answer") as unavailable:
        client(server, retries=0).credits(CUSTOMER)

    assert unavailable.value.status is None


def test_a_stalled_charge_is_sent_again_with_the_same_key(server):
    stall = server.stall()
    server.http.expect_ordered_request("/v1/consume-credits").respond_with_handler(stall)
    server.http.expect_ordered_request("/v1/consume-credits").respond_with_json(
        charge(CUSTOMER, "1", "4"), headers={"Idempotent-Replayed": "true"}
    )

    result = client(server, retries=1).consume(CUSTOMER, Decimal(1), idempotency_key="k1")

    assert result.replayed is True
    (stalled,) = stall.received
    (answered,) = server.requests
    assert stalled.headers["Idempotency-Key"] == answered.headers["Idempotency-Key"] == "k1"


def test_a_closed_port_makes_the_server_unavailable():
    with socket.socket() as unused:  # a port nothing listens on once closed
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    payments = HttpPaymentServer(
        f"http://127.0.0.1:{port}", KEY, timeout=TIMEOUT, retries=1, backoff=0
    )

    with pytest.raises(PaymentServerUnavailable, match="did not answer"):
        payments.credits(CUSTOMER)


# ---------------------------------------------------------------- malformed answers


@pytest.mark.parametrize(
    "body",
    [
        "<html>gateway</html>",
        '{"success": true, "data": {"customerId": "cust_1", "credits": NaN}}',
        '{"success": true, "data": {"customerId": "cust_1", "credits": "a lot"}}',
        '{"success": true, "data": {"customerId": "cust_1", "credits": "1_000"}}',
        '{"success": true, "data": {"customerId": "cust_1", "credits": true}}',
        '{"success": true, "data": {"customerId": "cust_1"}}',
        '{"success": true, "data": {"customerId": "cust_2", "credits": "5"}}',
        '{"success": false, "data": {"customerId": "cust_1", "credits": "5"}}',
        '{"customerId": "cust_1", "credits": "5"}',
        "[]",
    ],
)
def test_a_malformed_answer_makes_the_server_unavailable(server, body):
    server.http.expect_request("/v1/get-credits").respond_with_data(
        body, content_type="application/json"
    )

    with pytest.raises(PaymentServerUnavailable, match="answer is"):
        client(server).credits(CUSTOMER)

    assert len(server.requests) == 1  # a 200, however wrong, is not retried


def test_a_charge_answered_for_another_amount_is_not_taken_as_done(server):
    server.http.expect_request("/v1/consume-credits").respond_with_json(charge(CUSTOMER, "2", "3"))

    with pytest.raises(PaymentServerUnavailable, match="charge of 2 for 1"):
        client(server).consume(CUSTOMER, Decimal(1), idempotency_key="k1")


# ---------------------------------------------------------------- configuration


@pytest.fixture
def configured(monkeypatch) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("PAYMENT_SERVER_KEY_PARAMETER", "")
    get_settings.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


def test_no_payment_server_url_is_a_clear_configuration_error(configured):
    configured.setenv("PAYMENT_SERVER_URL", "")
    get_settings.cache_clear()

    with pytest.raises(ValueError, match="PAYMENT_SERVER_URL"):
        payment_server()


def test_the_configured_server_is_built_once_and_called_without_a_key(configured, server):
    configured.setenv("PAYMENT_SERVER_URL", server.url("/v1"))
    get_settings.cache_clear()
    server.http.expect_request("/v1/get-credits").respond_with_json(
        envelope(customerId=CUSTOMER, credits="7")
    )

    assert payment_server() is payment_server()
    assert payment_server().credits(CUSTOMER) == Decimal(7)
    assert "Authorization" not in server.requests[0].headers


def test_a_url_that_is_not_http_is_refused():
    with pytest.raises(ValueError, match="http"):
        HttpPaymentServer("ftp://payments", KEY, timeout=TIMEOUT, retries=0)
