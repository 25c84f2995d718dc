"""The caller's sandbox record, as every sandbox-scoped use case reads it first."""

from __future__ import annotations

from datetime import timedelta

from sandbox_common import providers
from sandbox_common.auth import AuthContext
from sandbox_common.errors import SandboxShutDown
from sandbox_common.sandboxes.lifecycle import lifecycle_view, needs_touch
from sandbox_common.sandboxes.models import LifecycleState, Sandbox


def caller_sandbox(caller: AuthContext, *, serve_shut_down: bool = False) -> Sandbox:
    """The caller's sandbox record (created on first sight, as for the operators' sandbox).

    A shut-down sandbox is refused (SandboxShutDown, 403) unless the caller is an admin or
    the use case is one that must still answer (``serve_shut_down``: its status, its
    configs, the way to re-enable it). A request records the sandbox's activity when that
    is due, waking it if it was hibernating: one conditional write at most, every few
    minutes. Lifecycle runs on wall time, never on the sandbox clock.

    From here on the request's ``providers.clock()`` reads this sandbox's clock, so every
    use case that loads the sandbox first stamps and measures in sandbox time.
    """
    sandboxes = providers.sandboxes_repository()
    now = providers.wall_clock().now()
    sandbox, _ = sandboxes.get_or_add(
        Sandbox(sandbox_id=caller.sandbox_id, created_at=now, last_active_at=now)
    )
    if sandbox.lifecycle_state is LifecycleState.SHUT_DOWN:
        if not serve_shut_down and not caller.is_admin:
            raise SandboxShutDown(
                f"This sandbox is shut down: {sandbox.lifecycle_reason or 'no reason recorded'}. "
                "Re-enable it with POST /update-sandbox-config "
                "(persistantConfig.enabled true)"
            )
    else:
        idle = timedelta(minutes=providers.settings().sandbox_idle_minutes)
        if needs_touch(sandbox, now, idle):
            woke = lifecycle_view(sandbox, now, idle).state is LifecycleState.HIBERNATING
            sandbox = sandboxes.touch(sandbox, now, woke=woke)
    providers.use_sandbox_clock(sandbox.clock)
    providers.use_sandbox_retention(sandbox.persistent)
    return sandbox
