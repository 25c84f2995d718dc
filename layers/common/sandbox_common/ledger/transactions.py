"""Transaction listing: newest first, filtered, paged with an opaque cursor."""

from __future__ import annotations

from sandbox_common import providers
from sandbox_common.auth import AuthContext, Permission
from sandbox_common.ledger.models import Transaction, TransactionFilter
from sandbox_common.ledger.transfers import find_transaction
from sandbox_common.pagination import Page
from sandbox_common.sandboxes.data_scope import data_scope, page_cursor, page_limit, page_start
from sandbox_common.storage.sandbox_items import Kind


def list_transactions(caller: AuthContext, where: TransactionFilter) -> Page[Transaction]:
    """A page of the sandbox's transactions matching ``where``, newest first.

    ``account_id`` may name the account by id or network address. The page may be short,
    even empty, while a cursor follows (see ``listing_plan``).
    """
    caller.require(Permission.READ)
    _, scope = data_scope(caller)
    if where.account_id is not None:
        account = providers.accounts_repository().get(scope, where.account_id)
        where = where.model_copy(update={"account_id": account.id if account else where.account_id})
    page = providers.transactions_repository().page(
        scope,
        where,
        limit=page_limit(where.limit),
        after=page_start(scope, Kind.TRANSACTION, where),
    )
    return Page(page.items, page_cursor(scope, Kind.TRANSACTION, where, page.next_position))


def get_transaction(caller: AuthContext, transaction_id: str) -> Transaction:
    """One transaction of the sandbox; 404 otherwise."""
    caller.require(Permission.READ)
    _, scope = data_scope(caller)
    return find_transaction(scope, transaction_id)
