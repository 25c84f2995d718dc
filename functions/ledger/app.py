"""Ledger group: accounts, transactions, transfers, compliance flags, analytics."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Query, Response

from sandbox_common.analytics.dashboard import Dashboard
from sandbox_common.analytics.period import TIME_PERIOD_PATTERN
from sandbox_common.analytics.service import sandbox_dashboard
from sandbox_common.http.app import create_app, make_handler
from sandbox_common.http.auth import Caller
from sandbox_common.http.openapi import also_answers
from sandbox_common.http.params import ResourceId
from sandbox_common.ledger import accounts, compliance, transactions, transfers
from sandbox_common.ledger.models import (
    Account,
    AccountCreate,
    AccountFilter,
    ComplianceFlag,
    FlagFilter,
    FlagResolve,
    Transaction,
    TransactionFilter,
    TransferCreate,
)
from sandbox_common.ledger.outcome_amounts import OutcomeAmount, outcome_amounts
from sandbox_common.pagination import Page

app = create_app("ledger", title="Sandbox ledger")

BASE = "/api/v1/sandbox"


_REPLAYED_TRANSFER = {
    "model": Transaction,
    "description": "A retry with the same Idempotency-Key: the transfer it created first",
    "headers": {"Idempotent-Replayed": {"schema": {"type": "string", "enum": ["true"]}}},
}


def _paged[T](page: Page[T], response: Response) -> list[T]:
    if page.next_cursor:
        response.headers["X-Next-Cursor"] = page.next_cursor
    return page.items


@app.get(BASE + "/accounts", response_model=list[Account])
def list_accounts(
    caller: Caller, response: Response, query: Annotated[AccountFilter, Query()]
) -> list[Account]:
    """The sandbox's accounts (a JSON list); the next page's cursor is in X-Next-Cursor."""
    return _paged(accounts.list_accounts(caller, query), response)


@app.post(BASE + "/accounts", status_code=201, response_model=Account)
def create_account(body: AccountCreate, caller: Caller) -> Account:
    """Open an account, optionally funded with test balances."""
    return accounts.create_account(caller, body)


@app.get(BASE + "/accounts/{account_id}", response_model=Account)
def get_account(account_id: ResourceId, caller: Caller) -> Account:
    """One account by id or network address."""
    return accounts.get_account(caller, account_id)


@app.post(BASE + "/accounts/{account_id}/verify", response_model=Account)
def verify_account(account_id: ResourceId, caller: Caller) -> Account:
    """Mark an account verified (idempotent)."""
    return accounts.verify_account(caller, account_id)


@app.get(BASE + "/transactions", response_model=list[Transaction])
def list_transactions(
    caller: Caller, response: Response, query: Annotated[TransactionFilter, Query()]
) -> list[Transaction]:
    """The sandbox's transactions, newest first, filtered; cursor in X-Next-Cursor."""
    return _paged(transactions.list_transactions(caller, query), response)


@app.get(BASE + "/transactions/{transaction_id}", response_model=Transaction)
def get_transaction(transaction_id: ResourceId, caller: Caller) -> Transaction:
    """One transaction."""
    return transactions.get_transaction(caller, transaction_id)


@app.get(BASE + "/transfers/test-values", response_model=list[OutcomeAmount])
def list_test_values(caller: Caller) -> list[OutcomeAmount]:
    """The amounts that force an outcome (like card networks' test numbers)."""
    return outcome_amounts(caller)


@app.post(
    BASE + "/transfers",
    status_code=201,
    response_model=Transaction,
    responses={200: _REPLAYED_TRANSFER},
    openapi_extra=also_answers(404),  # an account named in the body is not in the sandbox
)
def create_transfer(
    body: TransferCreate,
    caller: Caller,
    response: Response,
    idempotency_key: Annotated[
        str | None, Header(pattern=transfers.IDEMPOTENCY_KEY_PATTERN)
    ] = None,
) -> Transaction:
    """A pending transfer; a retry with the same Idempotency-Key returns the first (200)."""
    transfer, created = transfers.create_transfer(caller, body, idempotency_key=idempotency_key)
    if not created:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return transfer


@app.get(BASE + "/transfers/{transfer_id}", response_model=Transaction)
def get_transfer(transfer_id: ResourceId, caller: Caller) -> Transaction:
    """One transfer."""
    return transfers.get_transfer(caller, transfer_id)


@app.post(BASE + "/transfers/{transfer_id}/process", response_model=Transaction)
def process_transfer(transfer_id: ResourceId, caller: Caller) -> Transaction:
    """Settle a pending transfer: completed (balances move) or failed with a reason."""
    return transfers.process_transfer(caller, transfer_id)


@app.get(BASE + "/compliance/flags", response_model=list[ComplianceFlag])
def list_flags(
    caller: Caller, response: Response, query: Annotated[FlagFilter, Query()]
) -> list[ComplianceFlag]:
    """The sandbox's compliance flags, newest first; cursor in X-Next-Cursor."""
    return _paged(compliance.list_flags(caller, query), response)


@app.get(BASE + "/compliance/flags/{flag_id}", response_model=ComplianceFlag)
def get_flag(flag_id: ResourceId, caller: Caller) -> ComplianceFlag:
    """One compliance flag."""
    return compliance.get_flag(caller, flag_id)


@app.post(BASE + "/compliance/flags/{flag_id}/review", response_model=ComplianceFlag)
def review_flag(flag_id: ResourceId, caller: Caller) -> ComplianceFlag:
    """Take an open flag into review."""
    return compliance.review_flag(caller, flag_id)


@app.post(BASE + "/compliance/flags/{flag_id}/resolve", response_model=ComplianceFlag)
def resolve_flag(flag_id: ResourceId, body: FlagResolve, caller: Caller) -> ComplianceFlag:
    """Resolve a flag (approved or rejected); a second resolution is 409."""
    return compliance.resolve_flag(caller, flag_id, body)


@app.get(BASE + "/analytics/dashboard", response_model=Dashboard)
def get_dashboard(
    caller: Caller, time_period: Annotated[str, Query(pattern=TIME_PERIOD_PATTERN)] = "7d"
) -> Dashboard:
    """Volumes, counts, corridors and a daily series computed from the sandbox's data."""
    return sandbox_dashboard(caller, time_period)


handler = make_handler(app, "ledger")
