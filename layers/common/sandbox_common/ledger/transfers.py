"""Transfer use cases: create (screened, idempotent), process (atomic), show."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sandbox_common import providers
from sandbox_common.auth import AuthContext, Permission
from sandbox_common.errors import Conflict, InvalidInput, NotFound
from sandbox_common.ledger.accounts import find_account
from sandbox_common.ledger.models import (
    ComplianceFlag,
    FlagStatus,
    Transaction,
    TransactionStatus,
    TransactionType,
    TransferCreate,
)
from sandbox_common.ledger.rules import (
    FlagDraft,
    ProcessingOutcome,
    check_transfer_parties,
    decide_processing,
    screen_transfer,
)
from sandbox_common.sandboxes.data_scope import data_expiry, data_scope, new_id
from sandbox_common.storage.sandbox_items import DataScope, expiry

# The repository module (and what it imports) loads on the first transfer, not at cold start.
if TYPE_CHECKING:
    from sandbox_common.storage.transactions_repository import IdempotencyClaim

_log = logging.getLogger(__name__)
IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9_:.-]{1,128}$"
# Processing re-reads and decides again when a concurrent write got in between; a handful
# of rounds is plenty since every round makes progress or ends.
_SETTLE_ATTEMPTS = 4


def create_transfer(
    caller: AuthContext, request: TransferCreate, *, idempotency_key: str | None = None
) -> tuple[Transaction, bool]:
    """A pending transfer, screened for AML and sanctions; True if it was created now.

    With an ``Idempotency-Key`` a retry of the same request returns the first transfer
    (False); the same key with a different request is 409.
    """
    from sandbox_common.storage.transactions_repository import IdempotencyKeyUsed

    caller.require(Permission.WRITE)
    sandbox, scope = data_scope(caller)
    claim = _claim(idempotency_key, request) if idempotency_key else None
    if claim:
        replay = _replay(scope, claim)
        if replay:
            return replay, False
    source = find_account(scope, request.from_account_id)
    destination = find_account(scope, request.to_account_id)
    check_transfer_parties(source, destination)
    now = providers.clock().now()
    transfer_id = new_id()
    drafts = screen_transfer(
        request.amount,
        request.currency,
        source,
        destination,
        aml_threshold=sandbox.settings.aml_threshold,
    )
    flags = [_flag(draft, transfer_id, source.id, request, now) for draft in drafts]
    transfer = Transaction(
        id=transfer_id,
        from_account_id=source.id,
        to_account_id=destination.id,
        amount=request.amount,
        currency=request.currency,
        transaction_type=TransactionType.TRANSFER,
        status=TransactionStatus.PENDING,
        from_country_code=source.country_code,
        to_country_code=destination.country_code,
        description=request.description or f"Transfer of {request.amount} {request.currency}",
        metadata={"sandbox": True, "created_by": "api", "fees": 0},
        compliance_flag_id=flags[0].id if flags else None,
        created_at=now,
        updated_at=now,
    )
    try:
        providers.transactions_repository().create_transfer(
            scope, transfer, flags, expires_at=data_expiry(), idempotency=claim
        )
    except IdempotencyKeyUsed:
        # A concurrent request with the same key won the race: answer as its retry would.
        replay = _replay(scope, claim) if claim else None
        if replay is None:  # pragma: no cover - the key's record expired in between
            raise Conflict("The idempotency key is in use; retry") from None
        return replay, False
    _log.info("transfer created", extra={"transfer_id": transfer.id, "flags": len(flags)})
    return transfer, True


def get_transfer(caller: AuthContext, transfer_id: str) -> Transaction:
    """A transfer (or any transaction) of the sandbox by id; 404 otherwise."""
    caller.require(Permission.READ)
    _, scope = data_scope(caller)
    return find_transaction(scope, transfer_id)


def find_transaction(scope: DataScope, transaction_id: str) -> Transaction:
    """The scope's transaction; NotFound otherwise."""
    transaction = providers.transactions_repository().get(scope, transaction_id)
    if transaction is None:
        raise NotFound(f"Transaction {transaction_id} not found")
    return transaction


def process_transfer(caller: AuthContext, transfer_id: str) -> Transaction:
    """Settle a pending transfer: completed (balances move) or failed with a reason.

    Processing again returns the transfer as it is: money never moves twice.
    """
    caller.require(Permission.WRITE)
    _, scope = data_scope(caller)
    transactions = providers.transactions_repository()
    for _ in range(_SETTLE_ATTEMPTS):
        transfer = find_transaction(scope, transfer_id)
        if transfer.transaction_type is not TransactionType.TRANSFER:
            raise Conflict(f"Transaction {transfer_id} is not a transfer")
        accounts = providers.accounts_repository()
        source = accounts.get(scope, transfer.from_account_id)
        destination = accounts.get(scope, transfer.to_account_id)
        flag = (
            providers.flags_repository().get(scope, transfer.compliance_flag_id)
            if transfer.compliance_flag_id
            else None
        )
        decision = decide_processing(transfer, source, destination, flag)
        now = providers.clock().now()
        try:
            if decision.outcome is ProcessingOutcome.COMPLETE:
                return transactions.settle(scope, transfer, now)
            if decision.outcome is ProcessingOutcome.FAIL and decision.reason:
                return transactions.fail(scope, transfer, decision.reason.value, now)
        except Conflict:
            continue  # a concurrent change: read again and decide on fresh state
        return transfer
    raise Conflict(f"Transfer {transfer_id} is being changed concurrently; retry")


def _claim(key: str, request: TransferCreate) -> IdempotencyClaim:
    from sandbox_common.storage.transactions_repository import IdempotencyClaim

    if not re.fullmatch(IDEMPOTENCY_KEY_PATTERN, key):
        raise InvalidInput("Idempotency-Key must be 1-128 letters, digits or _ : . -")
    body = json.dumps(request.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    ttl = timedelta(hours=providers.settings().idempotency_ttl_hours)
    return IdempotencyClaim(
        key=key,
        fingerprint=hashlib.sha256(body.encode()).hexdigest(),
        expires_at=expiry(days=0) + int(ttl.total_seconds()),
    )


def _replay(scope: DataScope, claim: IdempotencyClaim) -> Transaction | None:
    record = providers.transactions_repository().idempotency_record(scope, claim.key)
    if record is None:
        return None
    if record.fingerprint != claim.fingerprint:
        raise Conflict("This Idempotency-Key was used with a different request")
    return find_transaction(scope, record.transaction_id)


def _flag(
    draft: FlagDraft, transfer_id: str, account_id: str, request: TransferCreate, now: datetime
) -> ComplianceFlag:
    return ComplianceFlag.model_validate(
        {
            "id": new_id(),
            "flag_type": draft.flag_type,
            "severity": draft.severity,
            "status": FlagStatus.OPEN,
            "title": draft.title,
            "description": draft.description,
            "account_id": account_id,
            "transaction_id": transfer_id,
            "evidence": {
                "sandbox": True,
                "amount": format(request.amount, "f"),
                "currency": request.currency,
                "risk_factors": list(draft.risk_factors),
            },
            "risk_score": draft.risk_score,
            "created_at": now,
        }
    )
