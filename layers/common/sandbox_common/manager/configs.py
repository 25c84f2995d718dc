"""Use cases of the persistent configs: update (create or replace) and read one.

Tenancy: a developer key reaches only its own sandbox's config; another sandbox id is 404,
as if it did not exist. An admin key reaches any sandbox's, and an admin update naming a
sandbox that does not exist yet creates that sandbox (as issuing a key for it would).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sandbox_common import providers
from sandbox_common.auth import AuthContext, Permission
from sandbox_common.errors import NotFound, Unauthorized
from sandbox_common.manager.models import ConfigUpdate, PersistentConfig, StoredConfig
from sandbox_common.sandboxes.current import caller_sandbox
from sandbox_common.sandboxes.models import Sandbox

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
        providers.sandboxes_repository().get_or_add(
            Sandbox(sandbox_id=request.sandbox_id, created_at=now, owner_email=request.user_email)
        )
    else:
        caller_sandbox(caller)
    existing = configs.get(request.sandbox_id)
    if existing is not None and not existing.owned_by(request.user_email):
        raise EmailMismatch("The user email does not match this sandbox's configuration")
    record = StoredConfig(
        sandbox_id=request.sandbox_id,
        customer_id=request.customer_id,
        user_email=request.user_email,
        config=request.persistant_config,
        version=existing.version + 1 if existing else 1,
        updated_at=now,
    )
    if existing is None:
        configs.create(record)
    else:
        configs.replace(record, read=existing)
    return record


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
