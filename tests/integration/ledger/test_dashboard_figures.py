"""The dashboard's figures kept at write time stay equal to the ledger, whatever writes it.

Each test changes the ledger through the handlers and then compares the dashboard with the
one computed from the raw records (read back through the listings) and with the
transactions listing over the dashboard's own bounds.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from local_runtime import moto_tuning
from sandbox_common.analytics.dashboard import compute_dashboard
from sandbox_common.analytics.period import TimePeriod
from sandbox_common.ledger.models import Account, ComplianceFlag, Transaction
from tests.integration.ledger.drivers import list_every

PERIODS = ("1h", "24h", "7d", "30d", "365d")


# ------------------------------------------------------------------ drivers


def dashboard(invoke: Any, caller: dict[str, str], time_period: str = "7d") -> dict[str, Any]:
    status, body, _ = invoke(
        "ledger", "ledger/dashboard.json", caller=caller, query={"time_period": time_period}
    )
    assert status == 200, body
    return body


def from_records(invoke: Any, caller: dict[str, str], board: dict[str, Any]) -> dict[str, Any]:
    """The dashboard ``compute_dashboard`` gives over every record, at the board's moment."""
    computed = compute_dashboard(
        [Transaction.model_validate(t) for t in list_every(invoke, caller, "transactions")],
        [ComplianceFlag.model_validate(f) for f in list_every(invoke, caller, "flags")],
        [Account.model_validate(a) for a in list_every(invoke, caller, "accounts")],
        period=TimePeriod.parse(board["time_period"]),
        now=datetime.fromisoformat(board["generated_at"]),
    )
    expected: dict[str, Any] = computed.model_dump(mode="json")
    return expected


def assert_matches_the_ledger(invoke: Any, caller: dict[str, str]) -> None:
    for label in PERIODS:
        board = dashboard(invoke, caller, label)
        assert board == from_records(invoke, caller, board), label
        listed = list_every(
            invoke,
            caller,
            "transactions",
            since=board["period_start"],
            until=board["period_end"],
        )
        assert board["totals"]["transactions"] == len(listed), label
        assert board["counts_by_status"] == {
            status: Counter(t["status"] for t in listed)[status]
            for status in ("pending", "completed", "failed")
        }
        for volume in board["volume_by_currency"]:
            mine = [t for t in listed if t["currency"] == volume["currency"]]
            assert Decimal(volume["total_amount"]) == sum(Decimal(t["amount"]) for t in mine)
            assert Decimal(volume["completed_amount"]) == sum(
                Decimal(t["amount"]) for t in mine if t["status"] == "completed"
            )


def transfer(
    invoke: Any, caller: dict[str, str], source: str, target: str, amount: str, currency: str
) -> dict[str, Any]:
    status, body, _ = invoke(
        "ledger",
        "ledger/create_transfer.json",
        caller=caller,
        body={
            "from_account_id": source,
            "to_account_id": target,
            "amount": amount,
            "currency": currency,
        },
        headers={"Idempotency-Key": None},
    )
    assert status == 201, body
    return dict(body)


def process(invoke: Any, caller: dict[str, str], transfer_id: str) -> dict[str, Any]:
    status, body, _ = invoke(
        "ledger",
        "ledger/process_transfer.json",
        caller=caller,
        path_parameters={"transfer_id": transfer_id},
    )
    assert status == 200, body
    return dict(body)


def flag_action(
    invoke: Any, caller: dict[str, str], action: str, flag_id: str
) -> tuple[int, dict[str, Any]]:
    status, body, _ = invoke(
        "ledger",
        f"ledger/{action}_flag.json",
        caller=caller,
        path_parameters={"flag_id": flag_id},
        **({"body": {"resolution": "approved"}} if action == "resolve" else {}),
    )
    return status, body


def verify(invoke: Any, caller: dict[str, str], account_id: str) -> tuple[int, dict[str, Any]]:
    status, body, _ = invoke(
        "ledger",
        "ledger/verify_account.json",
        caller=caller,
        path_parameters={"account_id": account_id},
    )
    return status, body


def threads(count: int) -> ThreadPoolExecutor:
    # Mangum runs each request on the calling thread's event loop, as Lambda's one thread does.
    return ThreadPoolExecutor(
        max_workers=count, initializer=lambda: asyncio.set_event_loop(asyncio.new_event_loop())
    )


def race[T](count: int, call: Callable[[int], T]) -> list[T]:
    moto_tuning.apply()  # moto's DynamoDB is not thread-safe on its own
    with threads(count) as pool:
        return list(pool.map(call, range(count)))


# ------------------------------------------------------------------ behaviour


def test_a_generated_data_set_has_its_figures_from_the_start(invoke, initialized_sandbox):
    caller = initialized_sandbox(
        "sb-fig-load", accounts=30, transactions=400, compliance_records=40
    )
    board = dashboard(invoke, caller, "7d")
    assert board["totals"]["transactions"] == 400
    assert board["accounts"]["total"] == 30
    assert_matches_the_ledger(invoke, caller)


def test_transfers_settlements_flags_and_accounts_keep_the_figures_exact(
    invoke, initialized_sandbox
):
    caller = initialized_sandbox(
        "sb-fig-writes", accounts=12, transactions=60, compliance_records=10
    )
    accounts = list_every(invoke, caller, "accounts")
    funded = [a["id"] for a in accounts[:5]]  # the generator funds the first five
    # Given transfers that complete, fail, stay pending or raise flags,
    made = [
        transfer(invoke, caller, funded[0], funded[1], "10.50", "USDC"),
        transfer(invoke, caller, funded[1], funded[2], "0.0000010", "XLM"),
        transfer(invoke, caller, funded[2], funded[3], "4000.02", "USDC"),  # declined
        transfer(invoke, caller, funded[3], funded[4], "4000.05", "KES"),  # stays pending
        transfer(invoke, caller, funded[4], funded[0], "4000.13", "NGN"),  # sanctions flag
        transfer(invoke, caller, funded[0], funded[2], "15000", "USDT"),  # AML flag
    ]
    assert_matches_the_ledger(invoke, caller)
    # when they are processed (the one held by its AML flag once the flag is resolved),
    outcomes = [process(invoke, caller, t["id"])["status"] for t in made[:5]]
    assert {"completed", "failed", "pending"} <= set(outcomes)
    assert_matches_the_ledger(invoke, caller)
    held_by = made[5]["compliance_flag_id"]
    assert flag_action(invoke, caller, "review", held_by)[0] == 200
    assert flag_action(invoke, caller, "resolve", held_by)[0] == 200
    assert process(invoke, caller, made[5]["id"])["status"] == "completed"
    # other flags are resolved (a second resolution is refused and counts nothing),
    other = next(f for f in list_every(invoke, caller, "flags", status="open"))
    assert flag_action(invoke, caller, "resolve", other["id"])[0] == 200
    assert flag_action(invoke, caller, "resolve", other["id"])[0] == 409
    # and accounts are opened and verified (twice: the second changes nothing),
    status, opened, _ = invoke(
        "ledger",
        "ledger/create_account.json",
        caller=caller,
        body={"country_code": "TN", "account_type": "merchant"},
    )
    assert status == 201, opened
    unverified = next(a for a in accounts if a["verification_status"] == "unverified")
    for account_id in (opened["id"], unverified["id"], unverified["id"]):
        assert verify(invoke, caller, account_id)[0] == 200
    # then every window still adds up to the ledger.
    assert_matches_the_ledger(invoke, caller)
    figures = dashboard(invoke, caller)["accounts"]
    assert figures["total"] == 13 and figures["by_country"]["TN"] == 1


def test_verifying_a_missing_account_is_404_and_counts_nothing(invoke, initialized_sandbox):
    caller = initialized_sandbox("sb-fig-missing", accounts=3, transactions=0)
    before = dashboard(invoke, caller)["accounts"]
    status, body = verify(invoke, caller, "00000000-0000-4000-8000-000000000000")
    assert status == 404, body
    assert dashboard(invoke, caller)["accounts"] == before


def test_generated_scenario_transactions_are_in_the_figures(invoke, initialized_sandbox):
    caller = initialized_sandbox("sb-fig-scn", accounts=10, transactions=20)
    status, run, _ = invoke(
        "environment",
        "environment/run_scenario.json",
        caller=caller,
        path_parameters={"scenario_id": "analytics_dashboard_flow"},
    )
    assert status == 200 and run["status"] == "completed", run
    assert run["steps"][1]["result"]["totals"]["transactions"] == 120
    assert_matches_the_ledger(invoke, caller)
    status, sandbox, _ = invoke("environment", "environment/status.json", caller=caller)
    assert status == 200, sandbox
    assert sandbox["counts"]["transactions"] == 120  # counted in the same writes


def test_reset_and_initialize_switch_the_figures_with_the_data(invoke, initialized_sandbox):
    caller = initialized_sandbox("sb-fig-reset", accounts=8, transactions=50)
    status, _, _ = invoke("environment", "environment/reset.json", caller=caller, body={})
    assert status == 200
    empty = dashboard(invoke, caller, "365d")
    assert empty["totals"]["transactions"] == 0 and empty["accounts"]["total"] == 0
    assert empty["compliance"] == {
        "raised_in_period": 0,
        "open": 0,
        "in_review": 0,
        "resolved": 0,
        "by_type": {"aml": 0, "kyc": 0, "sanctions": 0, "risk": 0},
    }
    status, _, _ = invoke(
        "environment",
        "environment/initialize.json",
        caller=caller,
        body={"environment": "sandbox", "seed": 9, "accounts": 6, "transactions": 30},
    )
    assert status == 200
    assert dashboard(invoke, caller)["totals"]["transactions"] == 30
    assert_matches_the_ledger(invoke, caller)


# ------------------------------------------------------------------ concurrency


@pytest.mark.parametrize("outcome", [("7.5", "completed"), ("4000.02", "failed")])
def test_concurrent_processing_of_one_transfer_counts_once(invoke, initialized_sandbox, outcome):
    amount, status = outcome
    caller = initialized_sandbox(f"sb-fig-race-{status}", accounts=5, transactions=0)
    source, target, *_ = list_every(invoke, caller, "accounts")
    made = transfer(invoke, caller, source["id"], target["id"], amount, "USDC")

    answers = race(8, lambda _: process(invoke, caller, made["id"]))

    assert {answer["status"] for answer in answers} == {status}
    board = dashboard(invoke, caller)
    assert board["counts_by_status"] == {
        "pending": 0,
        "completed": int(status == "completed"),
        "failed": int(status == "failed"),
    }
    completed = board["volume_by_currency"][0]["completed_amount"]
    assert Decimal(completed) == (Decimal(amount) if status == "completed" else 0)
    assert_matches_the_ledger(invoke, caller)


def test_concurrent_verifications_of_one_account_count_once(invoke, initialized_sandbox):
    caller = initialized_sandbox("sb-fig-race-verify", accounts=20, transactions=0)
    accounts = list_every(invoke, caller, "accounts")
    target = next(a for a in accounts if a["verification_status"] == "unverified")
    before = dashboard(invoke, caller)["accounts"]["verified"]

    answers = race(8, lambda _: verify(invoke, caller, target["id"]))

    assert {status for status, _ in answers} == {200}
    assert len({body["verified_at"] for _, body in answers}) == 1
    assert dashboard(invoke, caller)["accounts"]["verified"] == before + 1
    assert_matches_the_ledger(invoke, caller)


def test_concurrent_resolutions_of_one_flag_count_once(invoke, initialized_sandbox):
    caller = initialized_sandbox("sb-fig-race-flag", accounts=10, compliance_records=12)
    target = list_every(invoke, caller, "flags", status="open")[0]
    before = dashboard(invoke, caller)["compliance"]

    answers = race(8, lambda _: flag_action(invoke, caller, "resolve", target["id"]))

    assert sorted(status for status, _ in answers) == [200] + [409] * 7
    after = dashboard(invoke, caller)["compliance"]
    assert (after["open"], after["resolved"]) == (before["open"] - 1, before["resolved"] + 1)
    assert_matches_the_ledger(invoke, caller)
