"""``GET/PUT /api/v1/sandbox/config``: the sandbox's own settings."""

from __future__ import annotations

from sandbox_common import providers
from sandbox_common.auth import AuthContext, Permission
from sandbox_common.sandboxes.config import SandboxConfig
from sandbox_common.sandboxes.current import caller_sandbox


def get_config(caller: AuthContext) -> SandboxConfig:
    """The sandbox's configuration (defaults until it is set)."""
    caller.require(Permission.READ)
    return caller_sandbox(caller, serve_shut_down=True).settings


def put_config(caller: AuthContext, config: SandboxConfig) -> SandboxConfig:
    """Replace the sandbox's configuration (a full document; omitted fields take defaults)."""
    caller.require(Permission.WRITE)
    sandbox = caller_sandbox(caller, serve_shut_down=True)
    providers.sandboxes_repository().set_config(sandbox.sandbox_id, config)
    return config
