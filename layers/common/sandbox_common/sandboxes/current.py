"""The caller's sandbox record, as every sandbox-scoped use case reads it first."""

from __future__ import annotations

from sandbox_common import providers
from sandbox_common.auth import AuthContext
from sandbox_common.sandboxes.models import Sandbox


def caller_sandbox(caller: AuthContext) -> Sandbox:
    """The caller's sandbox record (created on first sight, as for the operators' sandbox)."""
    sandbox, _ = providers.sandboxes_repository().get_or_add(
        Sandbox(sandbox_id=caller.sandbox_id, created_at=providers.clock().now())
    )
    return sandbox
