"""Messaging users: who signals come from and messages go to, with their zone and active hours.

Six users exist in every sandbox without any write (``DEFAULT_USERS``); a user is stored only
when a sandbox adds one or changes a default one, and a stored user overrides the default of
the same id. ``internalId`` is derived from the sandbox and the user id, so it is stable per
sandbox whether or not the user was ever stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, StringConstraints

from sandbox_common import providers
from sandbox_common.auth import AuthContext, Permission
from sandbox_common.errors import Conflict, InvalidInput, NotFound
from sandbox_common.messaging.active_hours import (
    DEFAULT_WINDOW,
    ActiveWindow,
    window_label,
    zone_of,
)
from sandbox_common.messaging.audit import AuditType, new_audit_entry
from sandbox_common.messaging.ids import USER_ID_PATTERN
from sandbox_common.messaging.timestamps import Timestamp
from sandbox_common.pagination import ListingQuery, Page
from sandbox_common.sandboxes.data_scope import (
    data_expiry,
    data_scope,
    page_cursor,
    page_limit,
    page_start,
)
from sandbox_common.storage.sandbox_items import DataScope, Kind

if TYPE_CHECKING:
    from sandbox_common.messaging.behavior_models import UserCreate, UserUpdate

UserId = Annotated[str, StringConstraints(pattern=USER_ID_PATTERN)]

# Where internal ids come from: uuid5 of this namespace and "<sandbox>/<user>".
_INTERNAL_ID_NAMESPACE = uuid.UUID("6f1d7c1e-3a52-4d8e-9a53-2f0a3c9b7e11")


class MessagingUser(BaseModel):
    """A user of the messaging sandbox (``createdAt`` is None for an unchanged default)."""

    id: str
    timezone: str
    internalId: str
    activeHours: ActiveWindow = DEFAULT_WINDOW
    isDefault: bool = False
    createdAt: Timestamp | None = None
    updatedAt: Timestamp | None = None
    # Bumped by every change; a change is written only if the version it read is still there.
    version: int = 0


# id -> IANA zone of the users every sandbox starts with: zones with and without daylight
# saving, both hemispheres, and offsets off the whole hour.
DEFAULT_ZONES: dict[str, str] = {
    "user_us": "America/New_York",
    "user_uk": "Europe/London",
    "user_in": "Asia/Kolkata",
    "user_np": "Asia/Kathmandu",
    "user_au": "Australia/Sydney",
    "user_jp": "Asia/Tokyo",
}


def internal_id(sandbox_id: str, user_id: str) -> str:
    """The internal id of ``user_id`` in ``sandbox_id`` (the same on every call)."""
    return str(uuid.uuid5(_INTERNAL_ID_NAMESPACE, f"{sandbox_id}/{user_id}"))


def default_user(scope: DataScope, user_id: str) -> MessagingUser | None:
    """The default user ``user_id`` of the sandbox as it starts, or None."""
    zone = DEFAULT_ZONES.get(user_id)
    if zone is None:
        return None
    return MessagingUser(
        id=user_id,
        timezone=zone,
        internalId=internal_id(scope.sandbox_id, user_id),
        isDefault=True,
    )


def default_users(scope: DataScope) -> list[MessagingUser]:
    """Every default user of the sandbox as it starts, by id."""
    return [user for user_id in sorted(DEFAULT_ZONES) if (user := default_user(scope, user_id))]


def find_user(scope: DataScope, user_id: str) -> MessagingUser | None:
    """The user as the sandbox has it now (stored, else default), or None."""
    stored = providers.messaging_users_repository().get(scope, user_id)
    return stored or default_user(scope, user_id)


def get_user(scope: DataScope, user_id: str) -> MessagingUser:
    """The user as the sandbox has it now; 404 when the sandbox has no such user."""
    user = find_user(scope, user_id)
    if user is None:
        shown = user_id if len(user_id) <= 64 else user_id[:64] + "..."
        raise NotFound(f"User '{shown}' not found in this sandbox")
    return user


def merge_by_id(
    stored: Iterable[MessagingUser],
    defaults: Iterable[MessagingUser],
    *,
    limit: int,
    after: str | None,
    stored_until: str | None,
) -> tuple[list[MessagingUser], str | None]:
    """One page of users by id: stored ones override defaults of the same id.

    ``stored`` holds the stored users after ``after`` in id order; ``stored_until`` is the
    last id read when more stored users follow (None when there are none). Defaults past
    that id wait for a later page, since stored users beyond it are not known yet. Returns
    the page and the id to continue after (None at the end).
    """
    by_id = {user.id: user for user in defaults if after is None or user.id > after}
    by_id.update({user.id: user for user in stored})
    ordered = [by_id[user_id] for user_id in sorted(by_id)]
    known = [u for u in ordered if stored_until is None or u.id <= stored_until]
    page = known[:limit]
    more = len(known) > limit or stored_until is not None or len(ordered) > len(known)
    return page, (page[-1].id if page and more else None)


# ------------------------------------------------------------------ use cases


def list_users(caller: AuthContext, query: ListingQuery) -> Page[MessagingUser]:
    """The sandbox's users by id: the defaults (as changed, if they were) and the added ones."""
    caller.require(Permission.READ)
    _, scope = data_scope(caller)
    limit = page_limit(query.limit)
    after = page_start(scope, Kind.USER, query)
    stored = providers.messaging_users_repository().page(scope, limit=limit, after=after)
    users, position = merge_by_id(
        stored.items,
        default_users(scope),
        limit=limit,
        after=after,
        stored_until=stored.next_position,
    )
    return Page(users, page_cursor(scope, Kind.USER, query, position))


def create_user(caller: AuthContext, body: UserCreate) -> MessagingUser:
    """Add a user to the sandbox; 409 when the id is taken (a default user's included)."""
    caller.require(Permission.WRITE)
    zone_of(body.timezone)
    _, scope = data_scope(caller)
    if find_user(scope, body.id) is not None:
        raise Conflict(f"User '{body.id}' already exists in this sandbox")
    now = providers.clock().now()
    user = MessagingUser(
        id=body.id,
        timezone=body.timezone,
        internalId=internal_id(scope.sandbox_id, body.id),
        activeHours=body.activeHours or DEFAULT_WINDOW,
        createdAt=now,
        updatedAt=now,
        version=1,
    )
    details = {"timezone": user.timezone, "activeHours": window_label(user.activeHours)}
    _save(scope, user, AuditType.USER_CREATED, details, expected_version=None)
    return user


def update_user(caller: AuthContext, user_id: str, body: UserUpdate) -> MessagingUser:
    """Change a user's zone and/or active hours; 404 for an unknown user, 409 when another
    change got there first. A default user is stored from its first change on."""
    caller.require(Permission.WRITE)
    if body.is_empty():
        raise InvalidInput("Give 'timezone', 'activeHours' or both")
    if body.timezone is not None:
        zone_of(body.timezone)
    _, scope = data_scope(caller)
    user = get_user(scope, user_id)
    now = providers.clock().now()
    changes: dict[str, Any] = {}
    if body.timezone is not None and body.timezone != user.timezone:
        changes["timezone"] = {"from": user.timezone, "to": body.timezone}
    if body.activeHours is not None and body.activeHours != user.activeHours:
        changes["activeHours"] = {
            "from": window_label(user.activeHours),
            "to": window_label(body.activeHours),
        }
    if not changes:
        return user
    updated = user.model_copy(
        update={
            "timezone": body.timezone or user.timezone,
            "activeHours": body.activeHours or user.activeHours,
            "createdAt": user.createdAt or now,
            "updatedAt": now,
            "version": user.version + 1,
        }
    )
    _save(
        scope,
        updated,
        AuditType.USER_UPDATED,
        {"changes": changes},
        expected_version=user.version or None,
    )
    return updated


def _save(
    scope: DataScope,
    user: MessagingUser,
    audit_type: AuditType,
    details: dict[str, Any],
    *,
    expected_version: int | None,
) -> None:
    from sandbox_common.storage.audit_repository import audit_put

    expires_at = data_expiry()
    entry = new_audit_entry(
        audit_type, user.id, user.updatedAt or providers.clock().now(), details=details
    )
    providers.messaging_users_repository().save(
        scope,
        user,
        audit_put(providers.settings().data_table, scope, entry, expires_at),
        expires_at=expires_at,
        expected_version=expected_version,
    )
