"""Manager group: health, persistent configs, charge history and the job's admin routes."""

from __future__ import annotations

import time

from sandbox_common import providers
from sandbox_common.clock import isoformat
from sandbox_common.http.app import create_app, make_handler
from sandbox_common.http.envelope import MessageEnvelope
from sandbox_common.manager.health import Health
from sandbox_common.manager.routes import charges, configs, job

_STARTED = time.monotonic()

app = create_app("manager", title="Sandbox Manager")
app.include_router(configs.router)
app.include_router(charges.router)
app.include_router(job.router)


@app.get("/health", response_model=MessageEnvelope[Health])
def health() -> MessageEnvelope[Health]:
    """The health envelope: timestamp, uptime (seconds, this instance), version."""
    return MessageEnvelope(
        message="Sandbox Manager is running",
        data=Health(
            timestamp=isoformat(providers.clock().now()),
            uptime=round(time.monotonic() - _STARTED, 3),
            version=providers.settings().app_version,
        ),
    )


handler = make_handler(app, "manager")
