"""The sandbox's side of the job's decisions, written with the config in one transaction.

When the job disables a config (credits exhausted, limited window over) it shuts the sandbox
down and releases its data to the ordinary retention; when it wakes a sandbox it marks it
active and keeps its data (retention refreshed). Each is one TransactWriteItems with the
config's conditional move, so a crash never leaves a disabled config beside a running
sandbox, or the reverse. A change of the ``persistent`` flag queues the restamp of the
sandbox's items for the sweeper in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sandbox_common.manager.models import StoredConfig
from sandbox_common.sandboxes.models import LifecycleState, Sandbox
from sandbox_common.storage.retention_changes_repository import retention_marker_put
from sandbox_common.storage.sandboxes_repository import lifecycle_update
from sandbox_common.sweeper.models import RetentionChange

if TYPE_CHECKING:
    from sandbox_common.storage.persistent_configs_repository import (
        PersistentConfigsRepository,
    )
    from sandbox_common.storage.sandboxes_repository import SandboxesRepository

WOKEN_BY_THE_JOB = "woken by the persistence job"


class SandboxPersistence:
    """Shuts down and wakes persistent sandboxes together with their config's move."""

    def __init__(
        self,
        configs: PersistentConfigsRepository,
        sandboxes: SandboxesRepository,
        *,
        sandboxes_table: str,
        data_table: str,
    ) -> None:
        self._configs = configs
        self._sandboxes = sandboxes
        self._sandboxes_table = sandboxes_table
        self._data_table = data_table

    def end_persistence(
        self, read: StoredConfig, disabled: StoredConfig, *, reason: str, at: datetime
    ) -> None:
        """Save ``disabled`` and shut the sandbox down, its data no longer kept."""
        sandbox = self._sandboxes.get(read.sandbox_id)
        also = (
            self._moves(sandbox, LifecycleState.SHUT_DOWN, reason, at, keep=False)
            if sandbox
            else []
        )
        self._configs.save(disabled, read=read, also=also)

    def wake(self, read: StoredConfig, woken: StoredConfig, *, at: datetime) -> None:
        """Save ``woken`` and wake the sandbox, its data kept. The config is enabled, so a
        sandbox found shut down (a disable undone by the owner's re-enable) is active again."""
        sandbox = self._sandboxes.get(read.sandbox_id)
        also = (
            self._moves(sandbox, LifecycleState.ACTIVE, WOKEN_BY_THE_JOB, at, keep=True, woke=True)
            if sandbox
            else []
        )
        self._configs.save(woken, read=read, also=also)

    def _moves(
        self,
        sandbox: Sandbox,
        state: LifecycleState,
        reason: str,
        at: datetime,
        *,
        keep: bool,
        woke: bool = False,
    ) -> list[dict[str, Any]]:
        items = [
            lifecycle_update(
                self._sandboxes_table,
                sandbox,
                state=state,
                reason=reason,
                at=at,
                persistent=keep,
                woke=woke,
            )
        ]
        if sandbox.persistent != keep:
            change = RetentionChange(
                sandbox_id=sandbox.sandbox_id,
                generation=sandbox.data_generation,
                keep=keep,
                queued_at=at,
            )
            items.append(retention_marker_put(self._data_table, change))
        return items
