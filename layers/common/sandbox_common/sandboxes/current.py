"""The caller's sandbox record, as every sandbox-scoped use case reads it first."""

from __future__ import annotations

from sandbox_common import providers
from sandbox_common.auth import AuthContext
from sandbox_common.sandboxes.models import Sandbox


def caller_sandbox(caller: AuthContext) -> Sandbox:
    """The caller's sandbox record (created on first sight, as for the operators' sandbox).

    From here on the request's ``providers.clock()`` reads this sandbox's clock, so every
    use case that loads the sandbox first stamps and measures in sandbox time.
    """
    sandbox, _ = providers.sandboxes_repository().get_or_add(
        Sandbox(sandbox_id=caller.sandbox_id, created_at=providers.wall_clock().now())
    )
    providers.use_sandbox_clock(sandbox.clock)
    return sandbox
