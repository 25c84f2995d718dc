"""Use cases of the persistent configs: update (create or replace) and read one.

Tenancy: a developer key reaches only its own sandbox's config; another sandbox id is 404,
as if it did not exist. An admin key reaches any sandbox's, and an admin update naming a
sandbox that does not exist yet creates that sandbox (as issuing a key for it would).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sandbox_common import providers
from sandbox_common.auth import AuthContext, Permission
from sandbox_common.errors import NotFound, Unauthorized
from sandbox_common.manager.billing import epoch_ms
from sandbox_common.manager.models import ConfigUpdate, PersistentConfig, StoredConfig
from sandbox_common.sandboxes.current import caller_sandbox
from sandbox_common.sandboxes.models import LifecycleState, Sandbox

if TYPE_CHECKING:
    from sandbox_common.storage.persistent_configs_repository import (
        PersistentConfigsRepository,
    )


class EmailMismatch(Unauthorized):
    """The config exists and belongs to another user email."""

    code = "email_mismatch"


def _not_found(sandbox_id: str) -> NotFound:
    return NotFound(f"No persistent configuration for sandbox '{sandbox_id}'")


def _reachable(caller: AuthContext, sandbox_id: str) -> None:
    """Raise NotFound unless the caller may see ``sandbox_id``'s config."""
    if not caller.is_admin and sandbox_id != caller.sandbox_id:
        raise _not_found(sandbox_id)


def update_config(
    caller: AuthContext,
    request: ConfigUpdate,
    *,
    configs: PersistentConfigsRepository | None = None,
) -> StoredConfig:
    """Create the sandbox's config, or replace it if ``request`` names its owner's email.

    EmailMismatch (401) for another email; Conflict (409) if a concurrent write got there
    first, so of two racing updates neither is lost silently.
    """
    _reachable(caller, request.sandbox_id)
    caller.require(Permission.WRITE)
    configs = configs or providers.persistent_configs_repository()
    now = providers.wall_clock().now()
    if caller.is_admin:
        sandbox, _ = providers.sandboxes_repository().get_or_add(
            Sandbox(sandbox_id=request.sandbox_id, created_at=now, owner_email=request.user_email)
        )
    else:
        sandbox = caller_sandbox(caller, serve_shut_down=True)
    existing = configs.get(request.sandbox_id)
    if existing is not None and not existing.owned_by(request.user_email):
        raise EmailMismatch("The user email does not match this sandbox's configuration")
    record = _next_record(request, existing, now)
    if existing is None:
        configs.create(record)
    else:
        configs.replace(record, read=existing)
    _apply_to_sandbox(sandbox, record, now)
    return record


def _next_record(
    request: ConfigUpdate, existing: StoredConfig | None, now: datetime
) -> StoredConfig:
    """The config as the request sets it (the documented fields are replaced), with the
    hourly job's own billing position carried over.

    Billing runs from the later of the job's last charge and the moment the config was last
    enabled (so disabled hours are never billed), and a pending charge stays to be settled:
    what a client writes in ``lastCreditsCharge`` is shown back but never moves billing.
    """
    config = request.persistant_config
    was_enabled = existing is not None and existing.config.enabled
    enabled_at = None
    if config.enabled:
        enabled_at = existing.enabled_at_ms if was_enabled and existing else epoch_ms(now)
    return StoredConfig(
        sandbox_id=request.sandbox_id,
        customer_id=request.customer_id,
        user_email=request.user_email,
        config=config,
        version=existing.version + 1 if existing else 1,
        updated_at=now,
        enabled_at_ms=enabled_at,
        billed_until_ms=existing.billed_until_ms if existing else None,
        pending_charge=existing.pending_charge if existing else None,
    )


def _apply_to_sandbox(sandbox: Sandbox, record: StoredConfig, now: datetime) -> None:
    """Make the sandbox follow its config: an enabled config keeps the sandbox's data and
    re-opens a sandbox that was shut down; a disabled one releases the data to the ordinary
    retention. Compared with the sandbox as it is, so repeating an update repairs a sandbox
    that an earlier, interrupted one left behind."""
    enabled = record.config.enabled
    if sandbox.persistent != enabled:
        providers.retention_changes().switch(sandbox, enabled, now)
    if enabled and sandbox.lifecycle_state is LifecycleState.SHUT_DOWN:
        providers.sandboxes_repository().reopen(
            sandbox.sandbox_id, reason=f"re-enabled by {record.user_email}", at=now
        )


def get_config(
    caller: AuthContext,
    sandbox_id: str,
    *,
    configs: PersistentConfigsRepository | None = None,
) -> PersistentConfig:
    """The sandbox's persistent configuration; NotFound if it has none (or is not reachable)."""
    _reachable(caller, sandbox_id)
    caller.require(Permission.READ)
    configs = configs or providers.persistent_configs_repository()
    stored = configs.get(sandbox_id)
    if stored is None:
        raise _not_found(sandbox_id)
    return stored.config
