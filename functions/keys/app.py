"""Keys group: sandbox API keys and the caller's usage."""

from __future__ import annotations

from sandbox_common import init_phase  # noqa: F401  (first: pauses the GC while this loads)
from sandbox_common.http.app import create_app, make_handler
from sandbox_common.keys.routes import keys, usage

app = create_app("keys", title="Sandbox keys", description="Issue, rotate and revoke sandbox keys")
app.include_router(keys.router)
app.include_router(usage.router)

handler = make_handler(app, "keys")
