"""Key use cases: issue, list, show, revoke, rotate and move between tiers.

Each use case keeps the key record (DynamoDB) and the API Gateway key in step; a failure
half-way undoes what was done (see :mod:`sandbox_common.compensation`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sandbox_common import business_events, providers
from sandbox_common.auth import AuthContext, Permission
from sandbox_common.compensation import Compensation
from sandbox_common.errors import Conflict, NotFound
from sandbox_common.keys import secrets
from sandbox_common.keys.models import (
    ApiKeyRecord,
    KeyCreate,
    KeyCreated,
    KeyPublic,
    KeyStatus,
)
from sandbox_common.pagination import MAX_PAGE_SIZE, Page, decode_cursor, encode_cursor
from sandbox_common.platform_usage.counters import BusinessEvent
from sandbox_common.sandboxes.models import Sandbox, new_sandbox_id

_log = logging.getLogger(__name__)
_ALL_SANDBOXES = "*"


@dataclass(frozen=True)
class _Issued:
    record: ApiKeyRecord
    api_key: str
    api_secret: str

    def created(self) -> KeyCreated:
        record = self.record
        return KeyCreated(
            api_key=self.api_key,
            api_secret=self.api_secret,
            key_id=record.key_id,
            sandbox_id=record.sandbox_id,
            developer_name=record.developer_name,
            developer_email=record.developer_email,
            permissions=record.permissions,
            role=record.role,
            tier=record.tier,
            created_at=record.created_at,
            expires_at=record.expires_at,
        )


def create_key(caller: AuthContext, request: KeyCreate) -> KeyCreated:
    """Issue a key (admin only): its sandbox if new, the gateway key in its plan, the record."""
    caller.require_admin()
    settings = providers.settings()
    tier = request.tier or settings.default_tier
    plan_id = providers.plan_catalog().plan_id(tier)
    now = providers.clock().now()
    sandboxes = providers.sandboxes_repository()
    with Compensation() as undo:
        wanted = Sandbox(
            sandbox_id=request.sandbox_id or new_sandbox_id(),
            created_at=now,
            owner_email=str(request.developer_email),
        )
        sandbox, added = sandboxes.get_or_add(wanted)
        if added:
            undo.on_failure("delete new sandbox", lambda: sandboxes.delete(sandbox.sandbox_id))
        issued = _new_key(
            sandbox_id=sandbox.sandbox_id,
            developer_name=request.developer_name,
            developer_email=str(request.developer_email),
            permissions=request.granted_permissions(),
            role=request.role,
            tier=tier,
            lifetime=timedelta(days=settings.key_lifetime_days),
            gateway_key_id="",
        )
        record = _register_gateway_key(issued, plan_id, undo)
        providers.keys_repository().add(record)
    _log.info("key created", extra={"key_id": record.key_id, "sandbox_id": record.sandbox_id})
    business_events.record(BusinessEvent.KEYS_CREATED, record.tier, identity=record.key_id)
    return _Issued(record, issued.api_key, issued.api_secret).created()


def list_keys(caller: AuthContext, *, limit: int, cursor: str | None) -> Page[KeyPublic]:
    """Admins see every key; a developer sees the keys of its own sandbox."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    keys = providers.keys_repository()
    if caller.is_admin:
        page = keys.everywhere(limit=limit, start=decode_cursor(cursor, _ALL_SANDBOXES))
        scope = _ALL_SANDBOXES
    else:
        caller.require(Permission.READ)
        start = decode_cursor(cursor, caller.sandbox_id)
        page = keys.in_sandbox(caller.sandbox_id, limit=limit, start=start)
        scope = caller.sandbox_id
    now = providers.clock().now()
    return Page(
        items=[KeyPublic.of(record, now) for record in page.items],
        next_cursor=encode_cursor(page.last_key, scope),
    )


def get_key(caller: AuthContext, key_id: str) -> KeyPublic:
    """One key; a developer may only see keys of its own sandbox (others are 404)."""
    if not caller.is_admin:
        caller.require(Permission.READ)
    record = _visible_key(caller, key_id)
    return KeyPublic.of(record, providers.clock().now())


def revoke_key(caller: AuthContext, key_id: str) -> KeyPublic:
    """Revoke a key (admin only) in DynamoDB and API Gateway; repeating it is harmless."""
    caller.require_admin()
    keys = providers.keys_repository()
    record = _visible_key(caller, key_id)
    now = providers.clock().now()
    if record.status is KeyStatus.ACTIVE:
        try:
            record = keys.revoke(record, now)
        except Conflict:
            record = keys.by_id(key_id)  # revoked concurrently: the outcome is the same
    # Re-applied on every call so that a retry heals a gateway update that failed before.
    providers.api_gateway_keys().set_enabled(record.gateway_key_id, False)
    _log.info("key revoked", extra={"key_id": key_id})
    return KeyPublic.of(record, now)


def rotate_key(caller: AuthContext, key_id: str) -> KeyCreated:
    """Replace an active key by a new one (same sandbox, tier, permissions); revoke the old."""
    caller.require_admin()
    keys = providers.keys_repository()
    old = _visible_key(caller, key_id)
    if old.status is not KeyStatus.ACTIVE:
        raise Conflict(f"Key {key_id} is revoked; create a new key instead")
    settings = providers.settings()
    plan_id = providers.plan_catalog().plan_id(old.tier)
    now = providers.clock().now()
    with Compensation() as undo:
        issued = _new_key(
            sandbox_id=old.sandbox_id,
            developer_name=old.developer_name,
            developer_email=old.developer_email,
            permissions=old.permissions,
            role=old.role,
            tier=old.tier,
            lifetime=timedelta(days=settings.key_lifetime_days),
            gateway_key_id="",
        )
        record = _register_gateway_key(issued, plan_id, undo)
        keys.replace(old, record, now)
    _disable_quietly(old)
    _log.info("key rotated", extra={"key_id": key_id, "new_key_id": record.key_id})
    return _Issued(record, issued.api_key, issued.api_secret).created()


def change_tier(caller: AuthContext, key_id: str, tier: str) -> KeyPublic:
    """Move an active key to another tier's usage plan (admin only)."""
    caller.require_admin()
    plans = providers.plan_catalog()
    new_plan = plans.plan_id(tier)
    keys = providers.keys_repository()
    record = _visible_key(caller, key_id)
    if record.status is not KeyStatus.ACTIVE:
        raise Conflict(f"Key {key_id} is revoked")
    now = providers.clock().now()
    if record.tier == tier:
        return KeyPublic.of(record, now)
    old_plan = plans.plan_id(record.tier)
    gateway = providers.api_gateway_keys()
    gateway_key = record.gateway_key_id
    # API Gateway allows one plan per key and stage, so the key leaves the old plan first.
    with Compensation() as undo:
        gateway.detach(old_plan, gateway_key)
        undo.on_failure("rejoin old plan", lambda: gateway.attach(old_plan, gateway_key))
        gateway.attach(new_plan, gateway_key)
        undo.on_failure("leave new plan", lambda: gateway.detach(new_plan, gateway_key))
        record = keys.set_tier(record, tier)
    _log.info("key tier changed", extra={"key_id": key_id, "tier": tier})
    return KeyPublic.of(record, now)


def _visible_key(caller: AuthContext, key_id: str) -> ApiKeyRecord:
    if not secrets.looks_like_key_id(key_id):
        raise NotFound(f"Key {key_id} not found")
    record = providers.keys_repository().by_id(key_id)
    if not caller.is_admin and record.sandbox_id != caller.sandbox_id:
        raise NotFound(f"Key {key_id} not found")
    return record


def _new_key(*, lifetime: timedelta, **fields: object) -> _Issued:
    api_key = secrets.new_api_key()
    api_secret = secrets.new_api_secret()
    now = providers.clock().now()
    record = ApiKeyRecord.model_validate(
        {
            **fields,
            "key_id": secrets.new_key_id(),
            "key_hash": secrets.digest(api_key),
            "secret_hash": secrets.digest(api_secret),
            "key_prefix": secrets.display_prefix(api_key),
            "created_at": now,
            "expires_at": now + lifetime,
        }
    )
    return _Issued(record, api_key, api_secret)


def _register_gateway_key(issued: _Issued, plan_id: str, undo: Compensation) -> ApiKeyRecord:
    """Create the API Gateway key in its plan; returns the record carrying its gateway id."""
    gateway = providers.api_gateway_keys()
    record = issued.record
    gateway_key_id = gateway.create_key(
        name=record.key_id,
        value=issued.api_key,
        description=f"sandbox {record.sandbox_id} - {record.developer_email}",
    )
    undo.on_failure("delete gateway key", lambda: gateway.delete(gateway_key_id))
    gateway.attach(plan_id, gateway_key_id)
    return record.model_copy(update={"gateway_key_id": gateway_key_id})


def _disable_quietly(record: ApiKeyRecord) -> None:
    # The record is already revoked, so the authorizer refuses the key whatever happens
    # here; a failure is logged and healed by a later DELETE of the same key.
    try:
        providers.api_gateway_keys().set_enabled(record.gateway_key_id, False)
    except Exception:
        _log.exception("could not disable rotated gateway key", extra={"key_id": record.key_id})
