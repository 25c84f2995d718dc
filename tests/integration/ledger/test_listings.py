"""Indexed listings against moto: any filter pages to exactly what it selects, reads are
bounded, and status changes move records between the status listings at once."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sandbox_common import providers
from sandbox_common.ledger.models import (
    Account,
    AccountFilter,
    ComplianceFlag,
    FlagFilter,
    Transaction,
    TransactionFilter,
    TransactionType,
)
from sandbox_common.storage.listing_plan import MIN_BUDGET, plan_listing
from sandbox_common.storage.sandbox_items import LISTINGS, DataScope, Kind
from sandbox_common.storage.transactions_repository import transaction_item
from tests.integration.ledger.drivers import list_every, list_page

PROPERTY = settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
LIMITS = st.sampled_from([5, 17, 100])


def _optional(values: Any) -> st.SearchStrategy[Any]:
    return st.none() | st.sampled_from(list(values))


def _query(conditions: dict[str, Any]) -> dict[str, str]:
    return {
        name: str(value).lower() if isinstance(value, bool) else str(value)
        for name, value in conditions.items()
        if value is not None
    }


@dataclass(frozen=True)
class Filled:
    """A sandbox large enough that sparse filters run out of read budget mid-listing, and
    everything its unfiltered listings return."""

    caller: dict[str, str]
    accounts: list[dict[str, Any]]
    transactions: list[dict[str, Any]]
    flags: list[dict[str, Any]]


@pytest.fixture
def filled(invoke, initialized_sandbox) -> Filled:
    caller = initialized_sandbox(
        "sb-listings", accounts=30, transactions=260, compliance_records=150, seed=11
    )
    every = {
        name: list_every(invoke, caller, name) for name in ("accounts", "transactions", "flags")
    }
    assert [len(records) for records in every.values()] == [30, 260, 150]
    return Filled(caller, **every)


@given(data=st.data())
@PROPERTY
def test_any_account_filter_pages_to_exactly_the_matching_accounts(invoke, filled, data):
    conditions = data.draw(
        st.fixed_dictionaries(
            {
                "country_code": _optional(["NG", "KE", "ZA", "GH", "UG", "MA"]),
                "account_type": _optional(["user", "business", "merchant"]),
                "network": _optional(["stellar", "hedera"]),
                "is_active": _optional([True, False]),
            }
        )
    )
    limit = data.draw(LIMITS)
    where = AccountFilter.model_validate(conditions)
    expected = [a["id"] for a in filled.accounts if where.matches(Account.model_validate(a))]
    listed = list_every(invoke, filled.caller, "accounts", limit=limit, **_query(conditions))
    assert [a["id"] for a in listed] == expected


@given(data=st.data())
@PROPERTY
def test_any_transaction_filter_pages_to_exactly_the_matching_transactions(invoke, filled, data):
    every, accounts = filled.transactions, filled.accounts
    id_of = {a["account_id"]: a["id"] for a in accounts}
    times = sorted({t["created_at"] for t in every})
    conditions = data.draw(
        st.fixed_dictionaries(
            {
                "status": _optional(["pending", "completed", "failed"]),
                "transaction_type": _optional([t.value for t in TransactionType]),
                "currency": _optional(["USDC", "XLM", "NGN", "KES"]),
                # ids, network addresses (resolved to ids) and an unknown account
                "account_id": _optional(
                    [a["id"] for a in accounts[:6]] + [accounts[0]["account_id"], "no-such"]
                ),
                "since": _optional(times[:: len(times) // 8]),
                "until": _optional(times[len(times) // 3 :: len(times) // 8]),
            }
        )
    )
    if conditions["since"] and conditions["until"] and conditions["since"] > conditions["until"]:
        conditions["since"], conditions["until"] = conditions["until"], conditions["since"]
    limit = data.draw(LIMITS)
    account = conditions["account_id"]
    where = TransactionFilter.model_validate(
        {**conditions, "account_id": id_of.get(account, account)}
    )
    expected = [t["id"] for t in every if where.matches(Transaction.model_validate(t))]
    listed = list_every(invoke, filled.caller, "transactions", limit=limit, **_query(conditions))
    assert [t["id"] for t in listed] == expected


@given(data=st.data())
@PROPERTY
def test_any_flag_filter_pages_to_exactly_the_matching_flags(invoke, filled, data):
    every = filled.flags
    conditions = data.draw(
        st.fixed_dictionaries(
            {
                "status": _optional(["open", "in_review", "resolved"]),
                "flag_type": _optional(["aml", "kyc", "sanctions", "risk"]),
                "severity": _optional(["low", "medium", "high", "critical"]),
                "account_id": _optional(sorted({f["account_id"] for f in every})[:5] + ["x"]),
            }
        )
    )
    limit = data.draw(LIMITS)
    where = FlagFilter.model_validate(conditions)
    expected = [f["id"] for f in every if where.matches(ComplianceFlag.model_validate(f))]
    listed = list_every(invoke, filled.caller, "flags", limit=limit, **_query(conditions))
    assert [f["id"] for f in listed] == expected


def test_a_filter_no_index_covers_returns_an_empty_page_and_a_cursor_within_budget(
    invoke, initialized_sandbox
):
    """Given 300 payments and a listing of remittances (a residual filter only), the
    first page has read its budget, found nothing, and says where to continue."""
    caller = initialized_sandbox("sb-budget", accounts=4, transactions=1, compliance_records=0)
    (model,) = list_every(invoke, caller, "transactions")
    scope = _scope(caller["sandbox_id"])
    payments = [
        Transaction.model_validate(
            {**model, "id": f"payment-{n:03d}", "transaction_type": "payment"}
        )
        for n in range(300)
    ]
    providers.transactions_repository().add_many(scope, payments, expires_at=2_000_000_000)
    where = TransactionFilter(transaction_type="remittance", limit=20)
    remittances = [] if model["transaction_type"] != "remittance" else [model]

    page, cursor = list_page(invoke, caller, "transactions", transaction_type="remittance")
    assert page == [] and cursor
    first = providers.transactions_repository().page(scope, where, limit=20, after=None)
    assert first.items == [] and first.next_position is not None
    assert first.evaluated <= MIN_BUDGET
    # Followed to its end, the listing finds exactly what there is.
    listed = list_every(invoke, caller, "transactions", limit=20, transaction_type="remittance")
    assert [t["id"] for t in listed] == [t["id"] for t in remittances]


SIDES = st.lists(
    st.tuples(
        st.sampled_from(["from", "to", "neither"]),
        st.sampled_from(["payment"] * 7 + ["remittance"]),  # sparse: budgets run out
    ),
    min_size=120,
    max_size=220,
)
_generations = iter(range(10**6))
# The sides alternate in time and the receiving side's matches come only after 80 records:
# a page's budget runs out part-way through both indexes, with matches still unread on one.
ALTERNATING = [
    side
    for n in reversed(range(100))
    for side in (("to", "remittance" if 40 <= n < 50 else "payment"), ("from", "payment"))
]


@given(sides=SIDES, limit=st.sampled_from([1, 5, 20]), residual=st.booleans())
@example(sides=ALTERNATING, limit=20, residual=True)
@example(sides=ALTERNATING, limit=1, residual=True)
@settings(max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_both_sides_of_an_account_page_in_time_order_even_when_the_budget_runs_out(
    stack, sides, limit, residual
):
    """Given one account on either side of a few hundred transactions, paging its
    transactions (with a sparse residual filter or none) returns exactly those, newest
    first, although a page may stop mid-way through either side's index."""
    scope = DataScope("sb-merge", f"g{next(_generations)}")
    at = datetime(2026, 11, 1, tzinfo=UTC)
    stored = [
        _transaction(
            f"t{n:04d}",
            {"from": ("me", "x"), "to": ("x", "me"), "neither": ("x", "y")}[side],
            kind,
            at + timedelta(minutes=n),
        )
        for n, (side, kind) in enumerate(sides)
    ]
    with _ledger_table().batch_writer() as batch:  # a bare partition: no sandbox, no counts
        for transaction in stored:
            batch.put_item(Item=transaction_item(scope, transaction, 2_000_000_000))
    repository = providers.transactions_repository()
    where = TransactionFilter(account_id="me", transaction_type="remittance" if residual else None)
    expected = [t.id for t in reversed(stored) if where.matches(t)]
    budget = plan_listing(LISTINGS[Kind.TRANSACTION], where.conditions()).read_budget(limit)

    listed: list[str] = []
    after = None
    for _ in range(len(stored) + 1):
        page = repository.page(scope, where, limit=limit, after=after)
        assert page.evaluated <= budget
        listed += [t.id for t in page.items]
        after = page.next_position
        if after is None:
            break
    assert listed == expected


def test_status_changes_move_records_between_status_listings(invoke, initialized_sandbox):
    caller = initialized_sandbox("sb-status-keys", accounts=6, transactions=3)
    source, target, *_ = list_every(invoke, caller, "accounts")

    def ids(listing: str, **query: str) -> set[str]:
        return {r["id"] for r in list_every(invoke, caller, listing, **query)}

    transfer = _transfer(invoke, caller, source["id"], target["id"], "10000")
    flag_id = transfer["compliance_flag_id"]
    assert transfer["id"] in ids("transactions", status="pending")
    assert flag_id in ids("flags", status="open")

    _flag_action(invoke, caller, flag_id, "ledger/review_flag.json")
    assert flag_id in ids("flags", status="in_review") - ids("flags", status="open")
    _flag_action(invoke, caller, flag_id, "ledger/resolve_flag.json", {"resolution": "approved"})
    assert flag_id in ids("flags", status="resolved") - ids("flags", status="in_review")

    status, processed, _ = invoke(
        "ledger",
        "ledger/process_transfer.json",
        caller=caller,
        path_parameters={"transfer_id": transfer["id"]},
    )
    assert status == 200 and processed["status"] == "completed"
    assert transfer["id"] in ids("transactions", status="completed")
    assert transfer["id"] not in ids("transactions", status="pending")
    mine = ids("transactions", account_id=source["account_id"], status="completed")
    assert transfer["id"] in mine


def test_a_cursor_replayed_with_other_filters_is_refused(invoke, initialized_sandbox):
    caller = initialized_sandbox("sb-cursor-filters", accounts=12)
    _, cursor = list_page(invoke, caller, "accounts", limit="2", network="stellar")
    assert cursor
    status, body, _ = invoke(
        "ledger",
        "ledger/list_accounts.json",
        caller=caller,
        query={"limit": "2", "network": "hedera", "cursor": cursor},
    )
    assert status == 400 and body["code"] == "validation_error"


def _transaction(
    transaction_id: str, sides: tuple[str, str], kind: str, at: datetime
) -> Transaction:
    return Transaction.model_validate(
        {
            "id": transaction_id,
            "from_account_id": sides[0],
            "to_account_id": sides[1],
            "amount": "1.00",
            "currency": "USDC",
            "transaction_type": kind,
            "status": "completed",
            "from_country_code": "KE",
            "to_country_code": "NG",
            "description": "test",
            "created_at": at,
        }
    )


def _ledger_table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["DATA_TABLE"])


def _scope(sandbox_id: str) -> DataScope:
    sandbox = providers.sandboxes_repository().get(sandbox_id)
    assert sandbox is not None
    return DataScope(sandbox.sandbox_id, sandbox.data_generation)


def _transfer(invoke: Any, caller: dict[str, str], source: str, target: str, amount: str) -> Any:
    body = {"from_account_id": source, "to_account_id": target, "amount": amount}
    status, transfer, _ = invoke(
        "ledger", "ledger/create_transfer.json", caller=caller, body={**body, "currency": "USDC"}
    )
    assert status == 201, transfer
    return transfer


def _flag_action(
    invoke: Any, caller: dict[str, str], flag_id: str, event: str, body: Any = None
) -> None:
    status, answer, _ = invoke(
        "ledger", event, caller=caller, path_parameters={"flag_id": flag_id}, body=body
    )
    assert status == 200, answer
