"""Messaging sandbox, behavior half: users, signals, events, rules, decisions,
orchestration, actions and the audit trail (routes under /api/sandbox)."""

from __future__ import annotations

from sandbox_common import init_phase  # noqa: F401  (first: pauses the GC while this loads)
from sandbox_common.http.app import create_app, make_handler
from sandbox_common.messaging.routes import (
    actions,
    audit,
    decisions,
    events,
    orchestration,
    rules,
    signals,
    users,
)

app = create_app("behavior", title="Sandbox behavior")
app.include_router(users.router)
app.include_router(signals.router)
app.include_router(events.router)
app.include_router(rules.router)
app.include_router(decisions.router)
app.include_router(orchestration.router)
app.include_router(actions.router)
app.include_router(audit.router)

handler = make_handler(app, "behavior")
