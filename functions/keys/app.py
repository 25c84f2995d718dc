"""Keys group: sandbox API keys and the caller's usage."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response

from sandbox_common.auth import Permission
from sandbox_common.http.app import create_app, make_handler
from sandbox_common.http.auth import Admin, Caller
from sandbox_common.http.params import ResourceId
from sandbox_common.keys import service
from sandbox_common.keys.models import KeyCreate, KeyCreated, KeyPublic, KeyUpdate
from sandbox_common.usage.models import UsageReport
from sandbox_common.usage.report import usage_report

app = create_app("keys", title="Sandbox keys", description="Issue, rotate and revoke sandbox keys")

KEYS = "/api/v1/sandbox/keys"


@app.post(KEYS, status_code=201, response_model=KeyCreated)
def create_key(body: KeyCreate, caller: Admin) -> KeyCreated:
    """Issue a sandbox key (admin). The clear key and secret are shown only here."""
    return service.create_key(caller, body)


@app.get(KEYS, response_model=list[KeyPublic])
def list_keys(
    caller: Caller,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> list[KeyPublic]:
    """Admin: every key; developer: its sandbox's keys. Next page cursor in X-Next-Cursor."""
    page = service.list_keys(caller, limit=limit, cursor=cursor)
    if page.next_cursor:
        response.headers["X-Next-Cursor"] = page.next_cursor
    return page.items


@app.get(KEYS + "/{key_id}", response_model=KeyPublic)
def get_key(key_id: ResourceId, caller: Caller) -> KeyPublic:
    """One key, without secrets."""
    return service.get_key(caller, key_id)


@app.patch(KEYS + "/{key_id}", response_model=KeyPublic)
def update_key(key_id: ResourceId, body: KeyUpdate, caller: Admin) -> KeyPublic:
    """Move a key to another tier (usage plan) (admin)."""
    return service.change_tier(caller, key_id, body.tier)


@app.delete(KEYS + "/{key_id}", response_model=KeyPublic)
def revoke_key(key_id: ResourceId, caller: Admin) -> KeyPublic:
    """Revoke a key at once (admin); revoking again is harmless."""
    return service.revoke_key(caller, key_id)


@app.post(KEYS + "/{key_id}/rotate", status_code=201, response_model=KeyCreated)
def rotate_key(key_id: ResourceId, caller: Admin) -> KeyCreated:
    """Replace a key with a new one; the old key stops working at once (admin)."""
    return service.rotate_key(caller, key_id)


@app.get("/api/v1/sandbox/usage", response_model=UsageReport)
def get_usage(caller: Caller, days: Annotated[int, Query(ge=1, le=90)] = 7) -> UsageReport:
    """The caller's requests by day and endpoint, errors, latency percentiles and quota."""
    caller.require(Permission.ANALYTICS)
    return usage_report(caller, days)


handler = make_handler(app, "keys")
