"""Environment group: initialize, reset, status, config, scenarios and the sandbox clock."""

from __future__ import annotations

from sandbox_common import init_phase  # noqa: F401  (first: pauses the GC while this loads)
from sandbox_common.http.app import create_app, make_handler
from sandbox_common.sandboxes.routes import clock, config, data, scenarios, status

app = create_app("environment", title="Sandbox environment")
app.include_router(data.router)
app.include_router(status.router)
app.include_router(config.router)
app.include_router(scenarios.router)
app.include_router(clock.router)

handler = make_handler(app, "environment")
