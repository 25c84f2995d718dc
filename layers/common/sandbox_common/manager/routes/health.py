"""Route of the public health check: ``GET /health``."""

from __future__ import annotations

import time

from fastapi import APIRouter

from sandbox_common import providers
from sandbox_common.clock import isoformat
from sandbox_common.http.envelope import MessageEnvelope
from sandbox_common.manager.health import Health

# Imported with the function's code, so uptime counts from this instance's start.
_STARTED = time.monotonic()

router = APIRouter()


@router.get("/health", response_model=MessageEnvelope[Health])
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
