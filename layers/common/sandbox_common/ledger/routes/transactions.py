"""Routes of /api/v1/sandbox/transactions: the sandbox's transactions, filtered and paged."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from sandbox_common.http.auth import Caller
from sandbox_common.http.listing import paged
from sandbox_common.http.params import ResourceId
from sandbox_common.ledger import transactions
from sandbox_common.ledger.models import Transaction, TransactionFilter

router = APIRouter()

TRANSACTIONS = "/api/v1/sandbox/transactions"


@router.get(TRANSACTIONS, response_model=list[Transaction])
def list_transactions(
    caller: Caller, response: Response, query: Annotated[TransactionFilter, Query()]
) -> list[Transaction]:
    """The sandbox's transactions, newest first, filtered; cursor in X-Next-Cursor."""
    return paged(transactions.list_transactions(caller, query), response)


@router.get(TRANSACTIONS + "/{transaction_id}", response_model=Transaction)
def get_transaction(transaction_id: ResourceId, caller: Caller) -> Transaction:
    """One transaction."""
    return transactions.get_transaction(caller, transaction_id)
