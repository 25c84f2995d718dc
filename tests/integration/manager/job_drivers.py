"""Drivers of the persistence job's tests: the bundled payment server in-process (faults on
demand), a configs repository that dies on purpose, and readers of what a run left behind.

The payment server is the real one: its use cases (``consume_credits``, ``get_credits``) on
the stack's credits table, called as the admin, so a balance or a ledger entry asserted on
is the server's own. Only the transport is skipped; the faults stand for what a transport
does wrong (no answer, or an answer lost after the server charged).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sandbox_common import providers
from sandbox_common.auth import AuthContext
from sandbox_common.errors import Conflict, InsufficientCredits
from sandbox_common.manager.job_models import ChargeRecord
from sandbox_common.manager.models import StoredConfig
from sandbox_common.manager.payment_server import (
    ConsumeResult,
    CreditsRefused,
    PaymentServerUnavailable,
)
from sandbox_common.payments.credits import consume_credits, get_credits
from sandbox_common.payments.models import CreditsConsume
from sandbox_common.sandboxes.models import Sandbox
from sandbox_common.storage.persistent_configs_repository import (
    PersistentConfigsRepository,
    UnreadableConfig,
)
from sandbox_common.sweeper.models import RetentionChange
from tests.integration.manager.drivers import update_config

ADMIN = {
    "key_id": "bootstrap-admin",
    "sandbox_id": "operator",
    "role": "admin",
    "permissions": "analytics,read,write",
    "tier": "admin",
}
ADMIN_CALLER = AuthContext.from_authorizer_context(ADMIN)
HOUR_MS = 3_600_000


class BundledPaymentServer:
    """The bundled payment server's use cases behind the job's ``PaymentServer`` interface.

    Faults, each for the next N calls: ``down`` (every call: no answer at all),
    ``fail_before_consume`` (a 5xx/timeout before the server charged: nothing charged),
    ``lose_after_consume`` (the server charged, the answer never came back). ``broken``
    customers make the server answer something the client cannot read. ``after_credits``
    runs right after a balance is answered (another spender, a barrier...).
    """

    def __init__(self) -> None:
        self.down = False
        self.fail_before_consume = 0
        self.lose_after_consume = 0
        self.broken: set[str] = set()
        self.after_credits: Callable[[str], None] | None = None
        self._lock = threading.Lock()

    def credits(self, customer_id: str) -> Decimal:
        self._answerable(customer_id)
        balance = get_credits(ADMIN_CALLER, customer_id).credits
        if self.after_credits is not None:
            self.after_credits(customer_id)
        return balance

    def consume(self, customer_id: str, amount: Decimal, *, idempotency_key: str) -> ConsumeResult:
        self._answerable(customer_id)
        if self._take("fail_before_consume"):
            raise PaymentServerUnavailable("the payment server answered 503", status=503)
        request = CreditsConsume(customer_id=customer_id, amount=amount)
        try:
            charge, charged_now = consume_credits(
                ADMIN_CALLER, request, idempotency_key=idempotency_key
            )
        except InsufficientCredits as exc:
            raise CreditsRefused(str(exc), code="insufficient_credits") from exc
        except Conflict as exc:  # the key was used for another amount: 409 over HTTP
            raise PaymentServerUnavailable(str(exc), status=409, code="conflict") from exc
        if self._take("lose_after_consume"):
            raise PaymentServerUnavailable("the payment server did not answer: read timeout")
        return ConsumeResult(amount=charge.amount, credits=charge.credits, replayed=not charged_now)

    def _answerable(self, customer_id: str) -> None:
        if self.down:
            raise PaymentServerUnavailable("the payment server did not answer: connection refused")
        if customer_id in self.broken:
            raise ValueError(f"the payment server's answer about {customer_id} is unreadable")

    def _take(self, fault: str) -> bool:
        with self._lock:
            left = getattr(self, fault)
            if left <= 0:
                return False
            setattr(self, fault, left - 1)
            return True


class RunDied(Exception):
    """The run's process died here (a Lambda timeout, an out-of-memory kill)."""


class DyingConfigs:
    """The real configs repository, except that the save that settles a charge (the one
    carrying the charge record) dies ``deaths`` times: the server has charged by then."""

    def __init__(self, real: PersistentConfigsRepository, *, deaths: int = 1) -> None:
        self._real = real
        self.deaths = deaths

    def enabled_page(
        self, *, limit: int, start_key: dict[str, Any] | None = None
    ) -> tuple[list[StoredConfig | UnreadableConfig], dict[str, Any] | None]:
        return self._real.enabled_page(limit=limit, start_key=start_key)

    def get(self, sandbox_id: str) -> StoredConfig | None:
        return self._real.get(sandbox_id)

    def save(
        self, record: StoredConfig, *, read: StoredConfig, also: Sequence[dict[str, Any]] = ()
    ) -> None:
        if also and self.deaths > 0:
            self.deaths -= 1
            raise RunDied("the process died between the consume and the config's save")
        self._real.save(record, read=read, also=also)


def enable_persistence(
    invoke: Any,
    sandbox_id: str,
    customer_id: str,
    **config: Any,
) -> None:
    """Enable ``sandbox_id``'s persistent config (forever unless ``config`` says otherwise)
    through the manager handler, as the admin: the sandbox is created and made persistent."""
    body = {
        "userEmail": "owner@example.com",
        "customerId": customer_id,
        "sandboxId": sandbox_id,
        "persistantConfig": {"enabled": True, "mode": "forever", **config},
    }
    status, answer = update_config(invoke, ADMIN, body)
    assert status == 200, answer


def stored_config(sandbox_id: str) -> StoredConfig:
    """The config as stored."""
    stored = providers.persistent_configs_repository().get(sandbox_id)
    assert stored is not None
    return stored


def sandbox(sandbox_id: str) -> Sandbox:
    """The sandbox as stored."""
    found = providers.sandboxes_repository().get(sandbox_id)
    assert found is not None
    return found


def charge_history(sandbox_id: str) -> list[ChargeRecord]:
    """Every charge recorded for the sandbox, newest first."""
    records, _ = providers.charges_repository().history(sandbox_id, limit=100, start_key=None)
    return records


def queued_retention(sandbox_id: str) -> list[RetentionChange]:
    """The retention changes queued for the sandbox, oldest first."""
    queue = providers.retention_changes().pending(datetime(2200, 1, 1, tzinfo=UTC), limit=1000)
    return [change for change in queue if change.sandbox_id == sandbox_id]
