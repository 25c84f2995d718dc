"""``GET /api/v1/sandbox/status``: the caller's sandbox as it stands."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel

from sandbox_common import providers
from sandbox_common.auth import AuthContext, Permission
from sandbox_common.sandboxes.clock_service import ApiInstant
from sandbox_common.sandboxes.current import caller_sandbox
from sandbox_common.sandboxes.lifecycle import lifecycle_view
from sandbox_common.sandboxes.models import LifecycleState
from sandbox_common.storage.sandbox_items import Kind


class ComponentHealth(BaseModel):
    """One component's state, as observed while answering this request."""

    name: str
    status: str


class CallerView(BaseModel):
    """The key the status was asked with."""

    key_id: str
    role: str
    tier: str
    permissions: list[str]


class DataStatus(BaseModel):
    """The sandbox's mock data: how it was made and when it was last initialized or reset."""

    environment: str | None
    seed: int | None
    anchor: datetime | None
    initialized_at: datetime | None
    reset_at: datetime | None


class ClockStatus(BaseModel):
    """The sandbox clock (``/api/v1/sandbox/clock`` moves it)."""

    now: datetime
    frozen: bool
    frozen_at: datetime | None


class LifecycleStatus(BaseModel):
    """Where the sandbox is in its life (on wall time, whatever its clock says)."""

    state: LifecycleState
    reason: str
    since: ApiInstant | None
    last_active_at: ApiInstant | None
    last_wake_up_at: ApiInstant | None
    persistent: bool
    hibernates_after_minutes: int


class SandboxStatus(BaseModel):
    """The sandbox: identity, lifecycle, counts, component health and clock."""

    sandbox_id: str
    environment: str = "sandbox"
    lifecycle_state: LifecycleState
    lifecycle: LifecycleStatus
    created_at: datetime
    owner_email: str | None
    counts: dict[str, int]
    data: DataStatus
    components: list[ComponentHealth]
    clock: ClockStatus
    caller: CallerView


def sandbox_status(caller: AuthContext) -> SandboxStatus:
    """The caller's sandbox (created on first sight for the operators' bootstrap sandbox).

    A shut-down sandbox still answers, with the reason, so its developer can see why.
    """
    caller.require(Permission.READ)
    sandbox = caller_sandbox(caller, serve_shut_down=True)
    idle_minutes = providers.settings().sandbox_idle_minutes
    lifecycle = lifecycle_view(
        sandbox, providers.wall_clock().now(), timedelta(minutes=idle_minutes)
    )
    key_counts = providers.keys_repository().count_in_sandbox(caller.sandbox_id)
    counts = {f"keys_{status}": count for status, count in key_counts.items()}
    counts.update(
        accounts=sandbox.count(Kind.ACCOUNT),
        transactions=sandbox.count(Kind.TRANSACTION),
        compliance_flags=sandbox.count(Kind.FLAG),
        signals=sandbox.count(Kind.SIGNAL),
        decisions=sandbox.count(Kind.DECISION),
        actions=sandbox.count(Kind.ACTION),
        messages=sandbox.count(Kind.MESSAGE),
    )
    return SandboxStatus(
        sandbox_id=sandbox.sandbox_id,
        lifecycle_state=lifecycle.state,
        lifecycle=LifecycleStatus(
            state=lifecycle.state,
            reason=lifecycle.reason,
            since=lifecycle.since,
            last_active_at=sandbox.last_active_at,
            last_wake_up_at=sandbox.last_wake_up_at,
            persistent=sandbox.persistent,
            hibernates_after_minutes=idle_minutes,
        ),
        created_at=sandbox.created_at,
        owner_email=sandbox.owner_email,
        counts=counts,
        data=DataStatus(
            environment=sandbox.environment,
            seed=sandbox.data_seed,
            anchor=sandbox.data_anchor,
            initialized_at=sandbox.initialized_at,
            reset_at=sandbox.reset_at,
        ),
        # The tables were just read to build this answer, so "healthy" is an observation.
        components=[
            ComponentHealth(name="sandboxes_store", status="healthy"),
            ComponentHealth(name="keys_store", status="healthy"),
            ComponentHealth(name="ledger_store", status="healthy"),
        ],
        clock=ClockStatus(
            now=providers.clock().now(),
            frozen=sandbox.clock.frozen,
            frozen_at=sandbox.clock.frozen_at,
        ),
        caller=CallerView(
            key_id=caller.key_id,
            role=caller.role.value,
            tier=caller.tier,
            permissions=sorted(p.value for p in caller.permissions),
        ),
    )
