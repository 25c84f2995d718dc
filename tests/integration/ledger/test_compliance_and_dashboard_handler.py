"""Compliance listings and the analytics dashboard against moto."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any


def _all(invoke: Any, caller: dict[str, str], event: str, **query: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page_query = {"limit": "100", **query, **({"cursor": cursor} if cursor else {})}
        status, page, headers = invoke("ledger", event, caller=caller, query=page_query)
        assert status == 200, page
        items += page
        cursor = headers.get("x-next-cursor")
        if not cursor:
            return items


def test_flags_list_filters_by_status_and_type(invoke, initialized_sandbox):
    caller = initialized_sandbox("sb-flags", compliance_records=60)
    every = _all(invoke, caller, "ledger/list_flags.json")
    assert len(every) == 60
    open_aml = _all(invoke, caller, "ledger/list_flags.json", status="open", flag_type="aml")
    expected = [f for f in every if f["status"] == "open" and f["flag_type"] == "aml"]
    assert [f["id"] for f in open_aml] == [f["id"] for f in expected]


def test_unknown_filter_values_are_400(invoke, initialized_sandbox):
    caller = initialized_sandbox("sb-flags-bad", accounts=2)
    for event, query in (
        ("ledger/list_flags.json", {"status": "closed"}),
        ("ledger/list_transactions.json", {"status": "lost"}),
        ("ledger/list_transactions.json", {"since": "yesterday"}),
        ("ledger/list_transactions.json", {"since": "2026-01-01T00:00:00"}),
        ("ledger/list_accounts.json", {"limit": "0"}),
        ("ledger/list_accounts.json", {"limit": "1000"}),
        ("ledger/list_accounts.json", {"colour": "blue"}),
        (
            "ledger/list_transactions.json",
            {"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
        ),
    ):
        status, body, _ = invoke("ledger", event, caller=caller, query=query)
        assert status == 400 and body["code"] == "validation_error", (event, query, body)


def test_dashboard_adds_up_to_the_transactions_listing(invoke, initialized_sandbox):
    caller = initialized_sandbox("sb-dash", transactions=300)
    status, dashboard, _ = invoke(
        "ledger", "ledger/dashboard.json", caller=caller, query={"time_period": "7d"}
    )
    assert status == 200, dashboard
    listed = _all(
        invoke,
        caller,
        "ledger/list_transactions.json",
        since=dashboard["period_start"],
        until=dashboard["period_end"],
    )
    assert dashboard["totals"]["transactions"] == len(listed) == 300
    assert dashboard["counts_by_status"] == {
        status: Counter(t["status"] for t in listed)[status]
        for status in ("pending", "completed", "failed")
    }
    for volume in dashboard["volume_by_currency"]:
        amounts = [Decimal(t["amount"]) for t in listed if t["currency"] == volume["currency"]]
        assert Decimal(volume["total_amount"]) == sum(amounts)
        assert volume["count"] == len(amounts)
    assert sum(day["count"] for day in dashboard["daily"]) == 300


def test_dashboard_sees_a_new_transfer(invoke, initialized_sandbox):
    caller = initialized_sandbox("sb-dash-new", transactions=0)
    status, accounts, _ = invoke("ledger", "ledger/list_accounts.json", caller=caller, query={})
    transfer = {
        "from_account_id": accounts[0]["id"],
        "to_account_id": accounts[1]["id"],
        "amount": "0.1",
        "currency": "HBAR",
    }
    for _ in range(3):
        invoke(
            "ledger",
            "ledger/create_transfer.json",
            caller=caller,
            body=transfer,
            headers={"Idempotency-Key": None},
        )
    _, dashboard, _ = invoke(
        "ledger", "ledger/dashboard.json", caller=caller, query={"time_period": "24h"}
    )
    assert dashboard["volume_by_currency"] == [
        {
            "currency": "HBAR",
            "count": 3,
            "total_amount": "0.3",
            "completed_amount": "0",
            "average_amount": "0.10",
        }
    ]


def test_bad_time_period_is_400(invoke, initialized_sandbox):
    caller = initialized_sandbox("sb-dash-bad", accounts=2)
    status, body, _ = invoke(
        "ledger", "ledger/dashboard.json", caller=caller, query={"time_period": "7w"}
    )
    assert status == 400 and body["code"] == "validation_error"


def test_dashboard_needs_the_analytics_permission(invoke, make_key, as_developer):
    caller = as_developer(make_key(sandbox_id="sb-dash-perm", permissions=["read"]))
    status, body, _ = invoke("ledger", "ledger/dashboard.json", caller=caller)
    assert status == 403
