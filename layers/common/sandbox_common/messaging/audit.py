"""The messaging audit trail: what happened to whom, when (sandbox time) and why.

Every use case that changes something writes its entries in the same transaction as the
change (``storage.audit_repository.audit_put``), so an entry is never lost or doubled.
Entries list oldest first; ids sort in creation order within one process, so entries made
in the same millisecond (or under a frozen sandbox clock) keep their order.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Self

from pydantic import BaseModel, Field, model_validator

from sandbox_common.auth import AuthContext, Permission
from sandbox_common.inputs import Instant
from sandbox_common.messaging.ids import ordered_id
from sandbox_common.messaging.timestamps import Timestamp
from sandbox_common.pagination import ListingQuery, Page
from sandbox_common.storage.sandbox_items import Kind


class AuditType(StrEnum):
    """What an audit entry records."""

    SIGNAL_PROCESSED = "signal_processed"
    DECISION_CREATED = "decision_created"
    DECISION_EXECUTED = "decision_executed"
    ACTION_EXECUTED = "action_executed"
    ACTION_DELAYED = "action_delayed"
    MESSAGE_SENT = "message_sent"
    MESSAGE_SCHEDULED = "message_scheduled"
    MESSAGE_DELAYED = "message_delayed"
    MESSAGE_DELIVERED = "message_delivered"
    MESSAGE_READ = "message_read"
    MESSAGE_REPLIED = "message_replied"
    MESSAGE_FAILED = "message_failed"
    RULES_REPLACED = "rules_replaced"
    USER_CREATED = "user_created"
    USER_UPDATED = "user_updated"


# The ``userId`` of entries about the whole sandbox rather than one user (rule changes).
SANDBOX_WIDE = "*"


class AuditEntry(BaseModel):
    """One audit entry as stored and returned (``details`` says why)."""

    id: str
    type: AuditType
    userId: str
    timestampUtc: Timestamp
    messageId: str | None = None
    status: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)

    @property
    def user_type(self) -> str:
        """The user and the type together: the index a user's listing by type reads."""
        return f"{self.userId}/{self.type.value}"


def new_audit_id(at: datetime) -> str:
    """A fresh audit id, in creation order within this process (see ``ids.ordered_id``)."""
    return ordered_id("audit_", at)


def new_audit_entry(
    type: AuditType,
    user_id: str,
    at: datetime,
    *,
    message_id: str | None = None,
    status: str | None = None,
    details: dict[str, Any] | None = None,
    entry_id: str | None = None,
) -> AuditEntry:
    """An entry of ``type`` about ``user_id`` made at sandbox time ``at``.

    ``entry_id`` makes the entry deterministic (a delivery's ``audit_<messageId>_delivered``)
    so that a repeated write of it is refused instead of doubled.
    """
    return AuditEntry(
        id=entry_id or new_audit_id(at),
        type=type,
        userId=user_id,
        timestampUtc=at,
        messageId=message_id,
        status=status,
        details=details or {},
    )


# ------------------------------------------------------------------ listings


class AuditTimeFilter(ListingQuery):
    """Which entries of one user a listing returns: by type, and a creation-time range
    (``since``/``until`` inclusive)."""

    type: AuditType | None = None
    since: Instant | None = None
    until: Instant | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.since and self.until and self.since > self.until:
            raise ValueError("'since' must not be after 'until'")
        return self


class AuditFilter(AuditTimeFilter):
    """Which entries of the sandbox a listing returns; ``userId`` narrows to one user."""

    userId: str | None = Field(default=None, min_length=1, max_length=128)

    def conditions(self) -> dict[str, Any]:
        """The filters given; user and type together also name their combined index."""
        given = super().conditions()
        if self.userId is not None and self.type is not None:
            given["user_type"] = f"{self.userId}/{self.type.value}"
        return given

    def matches(self, entry: AuditEntry) -> bool:
        """True if ``entry`` passes every condition given (the time range included)."""
        if self.userId is not None and entry.userId != self.userId:
            return False
        if self.type is not None and entry.type != self.type:
            return False
        if self.since is not None and entry.timestampUtc < self.since:
            return False
        return self.until is None or entry.timestampUtc <= self.until


# ------------------------------------------------------------------ use cases


def list_audit(caller: AuthContext, where: AuditFilter) -> Page[AuditEntry]:
    """A page of the sandbox's audit trail, oldest first, filtered by user, type and time."""
    from sandbox_common import providers
    from sandbox_common.sandboxes.data_scope import data_scope, page_cursor, page_limit, page_start

    caller.require(Permission.READ)
    _, scope = data_scope(caller)
    page = providers.audit_repository().page(
        scope,
        where,
        limit=page_limit(where.limit),
        after=page_start(scope, Kind.AUDIT, where),
    )
    return Page(page.items, page_cursor(scope, Kind.AUDIT, where, page.next_position))


def list_user_audit(caller: AuthContext, user_id: str, where: AuditTimeFilter) -> Page[AuditEntry]:
    """A page of what happened to one user, oldest first (any id: messages may name users
    the sandbox does not hold, and their entries are listed too)."""
    return list_audit(caller, AuditFilter(**where.model_dump(), userId=user_id))
