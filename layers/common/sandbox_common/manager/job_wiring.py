"""The persistence job's real collaborators, from the process's settings and providers."""

from __future__ import annotations

from datetime import timedelta

from sandbox_common import providers
from sandbox_common.manager.job_context import JobContext
from sandbox_common.manager.payment_server import payment_server
from sandbox_common.manager.sandbox_persistence import SandboxPersistence


def job_context(*, deadline: float | None) -> JobContext:
    """A run's context: the tables, the payment server, wall time, the rate and limits."""
    settings = providers.settings()
    configs = providers.persistent_configs_repository()
    return JobContext(
        configs=configs,
        charges=providers.charges_repository(),
        runs=providers.job_runs_repository(),
        lifecycle=SandboxPersistence(
            configs,
            providers.sandboxes_repository(),
            sandboxes_table=settings.sandboxes_table,
            data_table=settings.data_table,
        ),
        payment_server=payment_server(),
        # Billing and wake-ups are real time, never a sandbox's own clock.
        now=lambda: providers.wall_clock().now(),
        rate_per_hour=settings.credit_rate_per_hour,
        wake_after_hours=settings.wake_up_after_hours,
        lease=timedelta(seconds=settings.job_lease_seconds),
        workers=settings.job_workers,
        deadline=deadline,
    )
