"""Use case of the charge history: the periods a persistent sandbox was charged for.

A developer key reads its own sandbox's history (the sandbox from the authorizer context);
an admin key reads any sandbox's. The customer's side of the same charges is the payment
server's credit ledger (``GET /admin/credits/{customerId}/ledger``).
"""

from __future__ import annotations

from sandbox_common import providers
from sandbox_common.auth import AuthContext, Permission
from sandbox_common.manager.job_models import ChargeRecord
from sandbox_common.pagination import (
    ListingQuery,
    Page,
    decode_cursor,
    encode_cursor,
    listing_scope,
)


def own_charges(caller: AuthContext, query: ListingQuery) -> Page[ChargeRecord]:
    """One page of the caller's sandbox's charges, newest first."""
    caller.require(Permission.READ)
    return _history(caller.sandbox_id, caller.sandbox_id, query)


def sandbox_charges(
    caller: AuthContext, sandbox_id: str, query: ListingQuery
) -> Page[ChargeRecord]:
    """One page of any sandbox's charges, newest first (admin)."""
    caller.require_admin()
    return _history("*", sandbox_id, query)


def _history(owner: str, sandbox_id: str, query: ListingQuery) -> Page[ChargeRecord]:
    scope = listing_scope(owner, "charges", {"sandbox_id": sandbox_id})
    records, last_key = providers.charges_repository().history(
        sandbox_id, limit=query.limit, start_key=decode_cursor(query.cursor, scope)
    )
    return Page(items=records, next_cursor=encode_cursor(last_key, scope))
