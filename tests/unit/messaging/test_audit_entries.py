"""Audit entries: their JSON shape, their order, and the listing filter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from sandbox_common.messaging.audit import (
    AuditFilter,
    AuditTimeFilter,
    AuditType,
    new_audit_entry,
)

AT = datetime(2026, 1, 30, 16, 55, tzinfo=UTC)


def test_an_entry_serializes_in_the_documented_shape():
    entry = new_audit_entry(
        AuditType.MESSAGE_DELIVERED,
        "user_us",
        AT,
        message_id="msg_abc123",
        status="delivered",
        entry_id="audit_msg_abc123_delivered",
    )

    assert entry.model_dump(mode="json") == {
        "id": "audit_msg_abc123_delivered",
        "type": "message_delivered",
        "userId": "user_us",
        "timestampUtc": "2026-01-30T16:55:00.000Z",
        "messageId": "msg_abc123",
        "status": "delivered",
        "details": {},
    }


def test_entries_made_at_one_instant_sort_in_creation_order():
    ids = [new_audit_entry(AuditType.SIGNAL_PROCESSED, "u", AT).id for _ in range(50)]

    assert ids == sorted(ids)
    assert len(set(ids)) == 50


def test_the_filter_matches_user_type_and_an_inclusive_time_range():
    entry = new_audit_entry(AuditType.DECISION_CREATED, "user_us", AT)
    where = AuditFilter(userId="user_us", type=AuditType.DECISION_CREATED, since=AT, until=AT)

    assert where.matches(entry)
    assert not AuditFilter(userId="user_uk").matches(entry)
    assert not AuditFilter(type=AuditType.SIGNAL_PROCESSED).matches(entry)
    assert not AuditFilter(since=AT + timedelta(milliseconds=1)).matches(entry)
    assert where.conditions()["user_type"] == "user_us/decision_created"


def test_a_range_ending_before_it_starts_is_refused():
    with pytest.raises(ValidationError):
        AuditTimeFilter(since=AT, until=AT - timedelta(seconds=1))
