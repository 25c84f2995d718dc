"""Ledger group: accounts, transactions, transfers, compliance flags, analytics."""

from __future__ import annotations

from sandbox_common import init_phase  # noqa: F401  (first: pauses the GC while this loads)
from sandbox_common.http.app import create_app, make_handler
from sandbox_common.ledger.routes import accounts, analytics, compliance, transactions, transfers

app = create_app("ledger", title="Sandbox ledger")
app.include_router(accounts.router)
app.include_router(transactions.router)
app.include_router(transfers.router)
app.include_router(compliance.router)
app.include_router(analytics.router)

handler = make_handler(app, "ledger")
