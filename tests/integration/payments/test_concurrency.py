"""Concurrent charges never overdraw a balance, and one Idempotency-Key charges once.

moto's DynamoDB is not thread-safe (a transaction deep-copies tables other threads are
writing), so these tests use the local runtime's guard around it, as `make run` does.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from local_runtime import moto_tuning
from sandbox_common.storage.credits_repository import CreditsRepository
from tests.integration.payments.drivers import (
    consume,
    credits_of,
    grant,
    new_customer,
    whole_ledger,
)


@pytest.fixture(autouse=True)
def _thread_safe_moto() -> None:
    moto_tuning.apply()


def _charge_together(monkeypatch: pytest.MonkeyPatch, parties: int) -> None:
    """Hold every request's charge until all ``parties`` requests reach it: each has done its
    reads (its Idempotency-Key not yet stored), so the writes really race."""
    barrier = threading.Barrier(parties, timeout=30)
    charge = CreditsRepository.consume

    def together(self, *args, **kwargs):
        barrier.wait()
        return charge(self, *args, **kwargs)

    monkeypatch.setattr(CreditsRepository, "consume", together)


def _threads(count: int) -> ThreadPoolExecutor:
    # Mangum runs each request on the calling thread's event loop, as Lambda's one thread does.
    return ThreadPoolExecutor(
        max_workers=count, initializer=lambda: asyncio.set_event_loop(asyncio.new_event_loop())
    )


def test_concurrent_consumes_never_overdraw_the_balance(invoke, monkeypatch):
    customer = new_customer()
    grant(invoke, customer, "10")
    _charge_together(monkeypatch, 8)

    def charge(_: int):
        return consume(invoke, customer, "1.5")

    with _threads(8) as pool:
        answers = list(pool.map(charge, range(8)))
    statuses = [status for status, _, _ in answers]
    assert set(statuses) <= {200, 402}
    charged = statuses.count(200)
    assert charged == 6  # 6 x 1.5 = 9 fits in 10; a 7th would overdraw
    assert credits_of(invoke, customer) == Decimal("10") - charged * Decimal("1.5")
    consumes = [entry for entry in whole_ledger(invoke, customer) if entry["kind"] == "consume"]
    assert len(consumes) == charged


def test_concurrent_repeats_of_one_idempotency_key_charge_once(invoke, monkeypatch):
    customer = new_customer()
    grant(invoke, customer, "10")
    _charge_together(monkeypatch, 8)
    key = f"{customer}:2026-11-22T13"

    def charge(_: int):
        return consume(invoke, customer, "2", key=key)

    with _threads(8) as pool:
        answers = list(pool.map(charge, range(8)))
    assert {status for status, _, _ in answers} == {200}, answers
    assert len({body["data"]["entryId"] for _, body, _ in answers}) == 1
    replayed = [headers.get("idempotent-replayed") for _, _, headers in answers]
    assert replayed.count(None) == 1 and replayed.count("true") == 7
    assert credits_of(invoke, customer) == Decimal(8)
    assert [entry["kind"] for entry in whole_ledger(invoke, customer)] == ["consume", "grant"]
