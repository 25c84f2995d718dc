"""Transaction listing: newest first, filtered, paged with an opaque cursor."""

from __future__ import annotations

from datetime import datetime

from sandbox_common import providers
from sandbox_common.auth import AuthContext, Permission
from sandbox_common.clock import isoformat
from sandbox_common.errors import InvalidInput
from sandbox_common.ledger.models import Transaction, TransactionStatus, TransactionType
from sandbox_common.ledger.scope import ledger_scope, page_limit, page_start
from sandbox_common.ledger.transfers import find_transaction
from sandbox_common.pagination import Page, encode_cursor
from sandbox_common.storage.ledger_items import Kind
from sandbox_common.storage.ledger_query import TimeRange


def list_transactions(
    caller: AuthContext,
    *,
    limit: int,
    cursor: str | None,
    status: TransactionStatus | None = None,
    transaction_type: TransactionType | None = None,
    currency: str | None = None,
    account_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[Transaction]:
    """A page of the sandbox's transactions matching the filters, newest first.

    ``account_id`` matches either side; ``since``/``until`` bound the creation time
    (inclusive).
    """
    from boto3.dynamodb.conditions import Attr

    caller.require(Permission.READ)
    _, scope = ledger_scope(caller)
    clauses = []
    if status is not None:
        clauses.append(Attr("status").eq(status.value))
    if transaction_type is not None:
        clauses.append(Attr("transaction_type").eq(transaction_type.value))
    if currency is not None:
        clauses.append(Attr("currency").eq(currency.upper()))
    if account_id is not None:
        account = providers.accounts_repository().get(scope, account_id)
        internal_id = account.id if account else account_id
        clauses.append(
            Attr("from_account_id").eq(internal_id) | Attr("to_account_id").eq(internal_id)
        )
    condition = None
    for clause in clauses:
        condition = clause if condition is None else condition & clause
    page = providers.transactions_repository().page(
        scope,
        limit=page_limit(limit),
        start=page_start(scope, Kind.TRANSACTION, cursor),
        condition=condition,
        ts_range=creation_range(since, until),
    )
    return Page(page.items, encode_cursor(page.last_key, scope.cursor_scope(Kind.TRANSACTION)))


def get_transaction(caller: AuthContext, transaction_id: str) -> Transaction:
    """One transaction of the sandbox; 404 otherwise."""
    caller.require(Permission.READ)
    _, scope = ledger_scope(caller)
    return find_transaction(scope, transaction_id)


def creation_range(since: datetime | None, until: datetime | None) -> TimeRange | None:
    """The ``ts`` bounds of transactions created between ``since`` and ``until`` inclusive."""
    if since is None and until is None:
        return None
    for bound in (since, until):
        if bound is not None and bound.tzinfo is None:
            raise InvalidInput("Times need a timezone, e.g. 2026-01-01T00:00:00Z")
    if since and until and since > until:
        raise InvalidInput("'since' must not be after 'until'")
    # ts is "<time>#<id>": '~' sorts after every id character, so 'until' is inclusive.
    return TimeRange(
        low=isoformat(since) if since else None,
        high=isoformat(until) + "~" if until else None,
    )
