"""A bounded mixed-load soak through the runtime: concurrent clients on all three groups,
then nothing lost or doubled, counted from what the API stores (``local_runtime.soak``;
``benchmarks/soak.py`` runs the same scenario with 100 clients)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from local_runtime.soak import SoakResult, balances_after_transfers, run_soak

CLIENTS = 18
SECONDS = 10


@pytest.fixture(scope="module")
def soak(runtime, admin_key) -> SoakResult:
    return run_soak(runtime.endpoint, admin_key, clients=CLIENTS, seconds=SECONDS, sandboxes=3)


def test_the_load_reached_every_group_and_was_answered_without_5xx(soak):
    for group in ("fintech", "messaging", "manager"):
        assert soak.tally.latencies_ms[group], f"no {group} request was sent"
    assert not any(status >= 500 for status in soak.tally.statuses), soak.tally.server_errors[:3]
    assert not soak.tally.failures


def test_the_counts_had_something_to_count(soak):
    # Checks over nothing would pass: the load must have completed, delivered and charged.
    activity = soak.activity
    for figure in (
        "transfers completed",
        "transfer keys repeated",
        "messages delivered",
        "consume keys charged",
        "consume keys repeated",
        "job charges",
    ):
        assert activity[figure] > 0, (figure, dict(activity))


def test_nothing_was_lost_or_duplicated_and_usage_counts_every_request(soak):
    failed = [f"{check.name}: {check.detail}" for check in soak.checks if not check.passed]
    assert not failed, "\n".join(["\n".join(soak.report_lines()), *failed])


def test_a_transfer_that_moved_twice_is_caught_by_the_money_count():
    opening = {"a": {"USDC": Decimal("100")}, "b": {"USDC": Decimal("0")}}
    transfer = {
        "from_account_id": "a",
        "to_account_id": "b",
        "amount": "10.00",
        "currency": "USDC",
        "status": "completed",
    }
    expected = balances_after_transfers(opening, [transfer])
    held_after_moving_once = {"a": {"USDC": Decimal("90")}, "b": {"USDC": Decimal("10")}}
    held_after_moving_twice = {"a": {"USDC": Decimal("80")}, "b": {"USDC": Decimal("20")}}

    assert expected == held_after_moving_once
    assert expected != held_after_moving_twice
