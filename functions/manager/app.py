"""Manager group: health, persistent configs, charge history, the job's admin routes and the
project's analytics (admin)."""

from __future__ import annotations

from sandbox_common import init_phase  # noqa: F401  (first: pauses the GC while this loads)
from sandbox_common.http.app import create_app, make_handler
from sandbox_common.manager.routes import analytics, charges, configs, health, job

app = create_app("manager", title="Sandbox Manager")
app.include_router(health.router)
app.include_router(configs.router)
app.include_router(charges.router)
app.include_router(job.router)
app.include_router(analytics.router)

handler = make_handler(app, "manager")
