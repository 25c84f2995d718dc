"""Payments group: the bundled payment server (customers' credits), admin key only."""

from __future__ import annotations

from sandbox_common import init_phase  # noqa: F401  (first: pauses the GC while this loads)
from sandbox_common.http.app import create_app, make_handler
from sandbox_common.payments.routes import admin, credits

app = create_app(
    "payments",
    title="Sandbox payment server",
    description="Customers' credits: read, consume (idempotent), grant; admin key only",
)
app.include_router(credits.router)
app.include_router(admin.router)

handler = make_handler(app, "payments")
