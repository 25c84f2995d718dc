"""Credit use cases: read a balance, consume (atomically, idempotently), grant, list the ledger.

Every operation is the admin's: the payment server is called by the stack itself (the hourly
job) and by operators, never by a sandbox's developer key.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

from sandbox_common import providers
from sandbox_common.auth import AuthContext
from sandbox_common.clock import isoformat
from sandbox_common.errors import Conflict
from sandbox_common.pagination import (
    ListingQuery,
    Page,
    decode_cursor,
    encode_cursor,
    listing_scope,
)
from sandbox_common.payments.models import (
    IDEMPOTENCY_TTL_DAYS,
    MAX_BALANCE,
    CreditCharge,
    CreditEntry,
    CreditGrantResult,
    CreditsConsume,
    CreditsGrant,
    CustomerCredits,
    EntryKind,
)

# The repository module loads on the first credits request, not at cold start.
if TYPE_CHECKING:
    from sandbox_common.storage.credits_repository import ConsumeRecord, CreditsRepository

_log = logging.getLogger(__name__)


def get_credits(
    caller: AuthContext, customer_id: str, *, credits: CreditsRepository | None = None
) -> CustomerCredits:
    """The customer's balance; a customer never seen has 0 (and nothing is written)."""
    caller.require_admin()
    repository = credits or providers.credits_repository()
    return CustomerCredits(customer_id=customer_id, credits=repository.balance(customer_id))


def consume_credits(
    caller: AuthContext,
    request: CreditsConsume,
    *,
    idempotency_key: str | None = None,
    credits: CreditsRepository | None = None,
) -> tuple[CreditCharge, bool]:
    """Charge the customer, only if the balance covers the amount; True if charged now.

    InsufficientCredits (nothing charged) otherwise. With an Idempotency-Key a repeat of the
    same request answers the first charge (False) and charges nothing, even when the repeats
    race: the key's record and the charge are one transaction. The same key with another
    request is a Conflict.
    """
    from sandbox_common.storage.credits_repository import (
        ConsumeClaim,
        ConsumeRecord,
        IdempotencyKeyUsed,
    )

    caller.require_admin()
    repository = credits or providers.credits_repository()
    fingerprint = request.fingerprint()
    if idempotency_key:
        replay = _replay(repository, idempotency_key, fingerprint)
        if replay:
            return replay, False
    now = providers.clock().now()
    at = isoformat(now)
    entry = CreditEntry(
        entry_id=str(uuid.uuid4()),
        customer_id=request.customer_id,
        kind=EntryKind.CONSUME,
        amount=request.amount,
        at=at,
        idempotency_key=idempotency_key,
    )
    record = ConsumeRecord(
        fingerprint=fingerprint,
        customer_id=request.customer_id,
        amount=request.amount,
        entry_id=entry.entry_id,
        consumed_at=at,
    )
    claim = (
        ConsumeClaim(
            key=idempotency_key,
            record=record,
            expires_at=int(now.timestamp()) + IDEMPOTENCY_TTL_DAYS * 86_400,
        )
        if idempotency_key
        else None
    )
    try:
        repository.consume(entry, claim)
    except IdempotencyKeyUsed:
        # A concurrent request with the same key charged first: answer as its repeat would.
        replay = _replay(repository, idempotency_key or "", fingerprint)
        if replay is None:  # pragma: no cover - the key's record expired in between
            raise Conflict("The Idempotency-Key is in use; retry") from None
        return replay, False
    _log.info(
        "credits consumed",
        extra={"customer_id": request.customer_id, "amount": str(request.amount)},
    )
    return _charge(record, repository), True


def grant_credits(
    caller: AuthContext, request: CreditsGrant, *, credits: CreditsRepository | None = None
) -> CreditGrantResult:
    """Add credits to a customer (created on first grant); the balance read right after."""
    caller.require_admin()
    repository = credits or providers.credits_repository()
    entry = CreditEntry(
        entry_id=str(uuid.uuid4()),
        customer_id=request.customer_id,
        kind=EntryKind.GRANT,
        amount=request.amount,
        at=isoformat(providers.clock().now()),
    )
    repository.grant(entry, max_balance=MAX_BALANCE)
    _log.info(
        "credits granted", extra={"customer_id": request.customer_id, "amount": str(request.amount)}
    )
    return CreditGrantResult(
        customer_id=entry.customer_id,
        amount=entry.amount,
        credits=repository.balance(entry.customer_id),
        entry_id=entry.entry_id,
        granted_at=entry.at,
    )


def list_ledger(
    caller: AuthContext,
    customer_id: str,
    query: ListingQuery,
    *,
    credits: CreditsRepository | None = None,
) -> Page[CreditEntry]:
    """One page of the customer's credit ledger, newest first."""
    caller.require_admin()
    repository = credits or providers.credits_repository()
    # Admin listings are bound to "*" and to the customer listed.
    scope = listing_scope("*", "credit_ledger", {"customer_id": customer_id})
    entries, last_key = repository.entries(
        customer_id, limit=query.limit, start_key=decode_cursor(query.cursor, scope)
    )
    return Page(items=entries, next_cursor=encode_cursor(last_key, scope))


def _replay(repository: CreditsRepository, key: str, fingerprint: str) -> CreditCharge | None:
    record = repository.consume_record(key)
    if record is None:
        return None
    if record.fingerprint != fingerprint:
        raise Conflict("This Idempotency-Key was used with a different request")
    return _charge(record, repository)


def _charge(record: ConsumeRecord, repository: CreditsRepository) -> CreditCharge:
    return CreditCharge(
        customer_id=record.customer_id,
        amount=record.amount,
        credits=repository.balance(record.customer_id),
        entry_id=record.entry_id,
        consumed_at=record.consumed_at,
    )
