"""Routes of /api/v1/sandbox/accounts: list, open, read and verify the sandbox's accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from sandbox_common.http.auth import Caller
from sandbox_common.http.listing import paged
from sandbox_common.http.params import ResourceId
from sandbox_common.ledger import accounts
from sandbox_common.ledger.models import Account, AccountCreate, AccountFilter

router = APIRouter()

ACCOUNTS = "/api/v1/sandbox/accounts"


@router.get(ACCOUNTS, response_model=list[Account])
def list_accounts(
    caller: Caller, response: Response, query: Annotated[AccountFilter, Query()]
) -> list[Account]:
    """The sandbox's accounts (a JSON list); the next page's cursor is in X-Next-Cursor."""
    return paged(accounts.list_accounts(caller, query), response)


@router.post(ACCOUNTS, status_code=201, response_model=Account)
def create_account(body: AccountCreate, caller: Caller) -> Account:
    """Open an account, optionally funded with test balances."""
    return accounts.create_account(caller, body)


@router.get(ACCOUNTS + "/{account_id}", response_model=Account)
def get_account(account_id: ResourceId, caller: Caller) -> Account:
    """One account by id or network address."""
    return accounts.get_account(caller, account_id)


@router.post(ACCOUNTS + "/{account_id}/verify", response_model=Account)
def verify_account(account_id: ResourceId, caller: Caller) -> Account:
    """Mark an account verified (idempotent)."""
    return accounts.verify_account(caller, account_id)
