"""Concurrent requests never duplicate or lose money, transfers or data generations.

moto's DynamoDB is not thread-safe (a transaction deep-copies tables other threads are
writing), so these tests use the local runtime's guard around it, as `make run` does.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from local_runtime import moto_tuning


@pytest.fixture(autouse=True)
def _thread_safe_moto() -> None:
    moto_tuning.apply()


def _threads(count: int) -> ThreadPoolExecutor:
    # Mangum runs each request on the calling thread's event loop, as Lambda's one thread does.
    return ThreadPoolExecutor(
        max_workers=count, initializer=lambda: asyncio.set_event_loop(asyncio.new_event_loop())
    )


def _accounts(invoke, caller):
    _, body, _ = invoke("ledger", "ledger/list_accounts.json", caller=caller, query={})
    return body


def test_concurrent_processing_debits_exactly_once(invoke, initialized_sandbox):
    caller = initialized_sandbox("sb-race-process", accounts=5, transactions=0)
    source, target, *_ = _accounts(invoke, caller)
    _, transfer, _ = invoke(
        "ledger",
        "ledger/create_transfer.json",
        caller=caller,
        body={
            "from_account_id": source["id"],
            "to_account_id": target["id"],
            "amount": "7.5",
            "currency": "USDC",
        },
        headers={"Idempotency-Key": None},
    )

    def process(_: int):
        return invoke(
            "ledger",
            "ledger/process_transfer.json",
            caller=caller,
            path_parameters={"transfer_id": transfer["id"]},
        )

    with _threads(8) as pool:
        answers = list(pool.map(process, range(8)))
    assert {status for status, _, _ in answers} == {200}
    assert {body["status"] for _, body, _ in answers} == {"completed"}
    balances = {a["id"]: a["balances"]["USDC"] for a in _accounts(invoke, caller)}
    assert Decimal(balances[source["id"]]) == Decimal(source["balances"]["USDC"]) - Decimal("7.5")
    assert Decimal(balances[target["id"]]) == Decimal(target["balances"]["USDC"]) + Decimal("7.5")


def test_concurrent_retries_with_one_idempotency_key_create_one_transfer(
    invoke, initialized_sandbox
):
    caller = initialized_sandbox("sb-race-idem", accounts=5, transactions=0)
    source, target, *_ = _accounts(invoke, caller)
    body = {
        "from_account_id": source["id"],
        "to_account_id": target["id"],
        "amount": "3",
        "currency": "XLM",
    }

    def create(_: int):
        return invoke(
            "ledger",
            "ledger/create_transfer.json",
            caller=caller,
            body=body,
            headers={"Idempotency-Key": "same-order"},
        )

    with _threads(8) as pool:
        answers = list(pool.map(create, range(8)))
    assert sorted(status for status, _, _ in answers) == [200] * 7 + [201]
    assert len({answer["id"] for _, answer, _ in answers}) == 1
    _, listing, _ = invoke("ledger", "ledger/list_transactions.json", caller=caller, query={})
    assert len(listing) == 1


def test_concurrent_initializes_leave_one_complete_data_set(invoke, make_key, as_developer):
    caller = as_developer(make_key(sandbox_id="sb-race-init"))

    def initialize(seed: int):
        return invoke(
            "environment",
            "environment/initialize.json",
            caller=caller,
            body={"seed": seed, "accounts": 30, "transactions": 10, "compliance_records": 5},
        )

    with _threads(4) as pool:
        answers = list(pool.map(initialize, range(4)))
    statuses = sorted(status for status, _, _ in answers)
    assert 200 in statuses and set(statuses) <= {200, 409}
    for status, body, _ in answers:
        if status == 409:
            assert body["code"] == "conflict"
    _, accounts, _ = invoke(
        "ledger", "ledger/list_accounts.json", caller=caller, query={"limit": "100"}
    )
    assert len(accounts) == 30  # one whole data set, never a mix
    _, status_body, _ = invoke("environment", "environment/status.json", caller=caller)
    winner = status_body["data"]["seed"]
    assert any(status == 200 and body["seed"] == winner for status, body, _ in answers)
