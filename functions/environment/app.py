"""Environment group: the sandbox's status (initialize, reset, config, clock come later)."""

from __future__ import annotations

from sandbox_common.http.app import create_app, make_handler
from sandbox_common.http.auth import Caller
from sandbox_common.sandboxes.status import SandboxStatus, sandbox_status

app = create_app("environment", title="Sandbox environment")


@app.get("/api/v1/sandbox/status", response_model=SandboxStatus)
def get_status(caller: Caller) -> SandboxStatus:
    """The caller's sandbox: id, lifecycle state, creation time, counts, components, clock."""
    return sandbox_status(caller)


handler = make_handler(app, "environment")
