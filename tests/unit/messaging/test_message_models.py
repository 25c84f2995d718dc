"""Message ids and the request bodies' own checks (zones, content, schedule time)."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from sandbox_common.messaging.message_models import (
    MAX_CONTENT_LENGTH,
    ScheduleMessage,
    SendMessage,
    new_message_id,
)

BODY = {
    "senderId": "user_sender",
    "receiverId": "user_receiver",
    "senderTimezone": "America/New_York",
    "receiverTimezone": "Europe/London",
    "content": "Hello!",
}


def test_message_ids_are_msg_and_twenty_url_safe_characters_never_repeated():
    ids = {new_message_id() for _ in range(2000)}

    assert len(ids) == 2000
    assert all(re.fullmatch(r"msg_[A-Za-z0-9_-]{20}", message_id) for message_id in ids)


@pytest.mark.parametrize(
    "zone", ["Asia/Kathmandu", "Australia/Sydney", "UTC", "America/Argentina/Buenos_Aires"]
)
def test_iana_zones_are_accepted(zone):
    assert SendMessage.model_validate({**BODY, "receiverTimezone": zone}).receiverTimezone == zone


@pytest.mark.parametrize(
    "zone", ["Europe/Londres", "GMT+25", "../etc/passwd", "localtime", "", "x" * 65, "Europe/"]
)
def test_anything_else_is_refused_as_a_zone(zone):
    with pytest.raises(ValidationError):
        SendMessage.model_validate({**BODY, "senderTimezone": zone})


@pytest.mark.parametrize(
    ("length", "valid"),
    [(0, False), (1, True), (MAX_CONTENT_LENGTH, True), (MAX_CONTENT_LENGTH + 1, False)],
)
def test_content_is_1_to_4000_characters(length, valid):
    body = {**BODY, "content": "é" * length}

    if valid:
        assert len(SendMessage.model_validate(body).content) == length
    else:
        with pytest.raises(ValidationError):
            SendMessage.model_validate(body)


@pytest.mark.parametrize("when", ["2026-01-31T10:00:00", "2026-01-31", 1769860800, "soon"])
def test_scheduled_for_must_be_an_iso_instant_with_an_offset(when):
    with pytest.raises(ValidationError):
        ScheduleMessage.model_validate({**BODY, "scheduledFor": when})


@pytest.mark.parametrize("user_id", ["", "bad id", "-leading", "x" * 65])
def test_a_message_names_users_by_the_users_own_id_shape(user_id):
    with pytest.raises(ValidationError):
        ScheduleMessage.model_validate({**BODY, "receiverId": user_id})
