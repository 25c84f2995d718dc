"""The ledger against moto: bad input is a 4xx in the envelope and writes nothing; nothing
the client sends can make a 5xx."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sandbox_common import providers
from sandbox_common.storage.sandbox_items import Kind
from tests.integration.ledger.drivers import list_every

CREATE_ACCOUNT = "ledger/create_account.json"
CREATE_TRANSFER = "ledger/create_transfer.json"


def _sandbox_counts(sandbox_id: str) -> tuple[int, int, int]:
    sandbox = providers.sandboxes_repository().get(sandbox_id)
    assert sandbox is not None
    return sandbox.count(Kind.ACCOUNT), sandbox.count(Kind.TRANSACTION), sandbox.count(Kind.FLAG)


def _nested(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {"leaf": True}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


def _error(status: int, body: Any, expected_status: int, code: str) -> None:
    assert status == expected_status, body
    assert body["success"] is False and body["code"] == code and body["requestId"]


@pytest.mark.parametrize(
    "metadata",
    [
        _nested(900),  # once a 500: too deep to serialise for storage
        _nested(6),
        {"note": "x" * 200_000},  # once stored whole
        {"values": list(range(2_000))},
    ],
)
def test_account_metadata_too_deep_or_too_large_is_refused_and_not_stored(
    invoke, initialized_sandbox, metadata
):
    caller = initialized_sandbox("sb-meta", accounts=3, transactions=0, compliance_records=0)
    before = list_every(invoke, caller, "accounts")
    body = {"country_code": "NG", "metadata": metadata}
    status, answer, _ = invoke("ledger", CREATE_ACCOUNT, caller=caller, body=body)
    _error(status, answer, 400, "validation_error")
    assert list_every(invoke, caller, "accounts") == before
    assert _sandbox_counts("sb-meta")[0] == 3


@pytest.mark.parametrize("size", [300 * 1024, 500 * 1024])
def test_a_body_over_the_cap_without_content_length_is_413_and_not_stored(
    invoke, initialized_sandbox, size
):
    # A chunked request reaches the function with no Content-Length: the cap must hold on the
    # body itself (300 KB was stored, 500 KB was a 502 from DynamoDB's item size limit).
    caller = initialized_sandbox("sb-big-body", accounts=3, transactions=0, compliance_records=0)
    body = json.dumps({"country_code": "NG", "holder_name": "Ada", "region": "x" * size})
    status, answer, _ = invoke(
        "ledger", CREATE_ACCOUNT, caller=caller, body=body, headers={"Content-Length": None}
    )
    _error(status, answer, 413, "payload_too_large")
    assert _sandbox_counts("sb-big-body")[0] == 3


@pytest.mark.parametrize(
    "query",
    [
        {"until": "0.5"},  # once read as a unix time
        {"since": "1700000000"},
        {"since": "2026-11-20T00:00:00"},
        {"since": "0001-01-01T00:00:00+14:00"},  # once a 500
        {"until": "9999-12-31T23:59:59-14:00"},
    ],
)
def test_transaction_time_bounds_must_be_iso_8601_with_a_timezone(
    invoke, initialized_sandbox, query
):
    caller = initialized_sandbox("sb-since", accounts=3, transactions=5, compliance_records=0)
    status, body, _ = invoke("ledger", "ledger/list_transactions.json", caller=caller, query=query)
    _error(status, body, 400, "validation_error")


@pytest.mark.parametrize(
    ("event", "name"),
    [
        ("ledger/get_account.json", "account_id"),
        ("ledger/verify_account.json", "account_id"),
        ("ledger/get_transaction.json", "transaction_id"),
        ("ledger/get_transfer.json", "transfer_id"),
        ("ledger/process_transfer.json", "transfer_id"),
        ("ledger/get_flag.json", "flag_id"),
        ("ledger/review_flag.json", "flag_id"),
    ],
)
def test_an_id_longer_than_any_issued_is_refused_before_storage(
    invoke, initialized_sandbox, event, name
):
    # Unbounded, it became a DynamoDB key over its size limit: a ValidationException (5xx).
    caller = initialized_sandbox("sb-long-id", accounts=3, transactions=2, compliance_records=2)
    before = _sandbox_counts("sb-long-id")
    status, body, _ = invoke("ledger", event, caller=caller, path_parameters={name: "a" * 5000})
    _error(status, body, 400, "validation_error")
    assert _sandbox_counts("sb-long-id") == before


@pytest.mark.parametrize(
    "raw",
    [
        "null",
        "[]",
        '"x"',
        '{"from_account_id": "a", "to_account_id": "b", "amount": NaN, "currency": "USDC"}',
        '{"from_account_id": "a", "to_account_id": "b", "amount": 1e400, "currency": "USDC"}',
        '{"from_account_id": "a", "to_account_id": "b", "amount": true, "currency": "USDC"}',
    ],
)
def test_a_transfer_body_that_is_not_a_valid_object_writes_nothing(
    invoke, initialized_sandbox, raw
):
    caller = initialized_sandbox("sb-bad-transfer", accounts=3, transactions=0)
    before = _sandbox_counts("sb-bad-transfer")
    status, body, _ = invoke("ledger", CREATE_TRANSFER, caller=caller, body=raw)
    _error(status, body, 400, "validation_error")
    assert _sandbox_counts("sb-bad-transfer") == before
    assert list_every(invoke, caller, "transactions") == []
