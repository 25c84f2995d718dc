"""What a persistence-job run works with: its ports (the configs, the charge history, the
sandbox's lifecycle, the payment server) and the settings of the run, injected, so the run
and its tests use the same code with real or failing parts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from sandbox_common.manager.job_models import ChargeRecord
from sandbox_common.manager.models import StoredConfig
from sandbox_common.manager.payment_server import PaymentServer
from sandbox_common.storage.job_runs_repository import JobRunsRepository
from sandbox_common.storage.persistent_configs_repository import UnreadableConfig


class Configs(Protocol):
    """Where the job reads and moves configs (PersistentConfigsRepository)."""

    def enabled_page(
        self, *, limit: int, start_key: dict[str, Any] | None = None
    ) -> tuple[list[StoredConfig | UnreadableConfig], dict[str, Any] | None]: ...

    def get(self, sandbox_id: str) -> StoredConfig | None: ...

    def save(
        self, record: StoredConfig, *, read: StoredConfig, also: Sequence[dict[str, Any]] = ()
    ) -> None: ...


class Charges(Protocol):
    """Where a charge is recorded (ChargesRepository)."""

    def record_put(self, record: ChargeRecord) -> dict[str, Any]: ...


class SandboxLifecycle(Protocol):
    """What the job does to a sandbox, each together with the config's move (one write)."""

    def end_persistence(
        self, read: StoredConfig, disabled: StoredConfig, *, reason: str, at: datetime
    ) -> None:
        """Save ``disabled`` (conditional on ``read``'s version) and shut the sandbox down
        (its data released to the ordinary retention), atomically."""
        ...

    def wake(self, read: StoredConfig, woken: StoredConfig, *, at: datetime) -> None:
        """Save ``woken`` (conditional on ``read``'s version) and wake the sandbox, its data
        kept (retention refreshed)."""
        ...


@dataclass
class JobContext:
    """Everything a run needs, injected (the function wires the real ones)."""

    configs: Configs
    charges: Charges
    runs: JobRunsRepository
    lifecycle: SandboxLifecycle
    payment_server: PaymentServer
    now: Callable[[], datetime]
    rate_per_hour: Decimal
    wake_after_hours: int
    lease: timedelta
    workers: int
    # time.monotonic() after which the run takes no more pages (None: no budget).
    deadline: float | None = None
