"""Messaging sandbox, messages half: send, schedule, deliver, list, message state, marks,
active hours and rule evaluation for a message (routes under /api/sandbox)."""

from __future__ import annotations

from sandbox_common import init_phase  # noqa: F401  (first: pauses the GC while this loads)
from sandbox_common.http.app import create_app, make_handler
from sandbox_common.messaging.routes import active_hours, message_state, messages, rule_evaluation

app = create_app("messages", title="Sandbox messages")
app.include_router(messages.router)
app.include_router(message_state.router)
app.include_router(active_hours.router)
app.include_router(rule_evaluation.router)

handler = make_handler(app, "messages")
