"""Every bad input to the messages function gets its 4xx in the one envelope and changes
nothing: no message, no audit entry, no count, no execution."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.integration.messaging.message_drivers import (
    audit_entries,
    call,
    caller_context,
    delivery_machine,  # noqa: F401 - fixture
    message_body,
    new_sandbox_id,
    set_wall_clock,
    stored_sandbox,
)

NOON = datetime(2026, 1, 30, 12, 0, tzinfo=UTC)
FUTURE = "2026-01-31T10:00:00Z"


@pytest.fixture
def caller(stack, delivery_machine):  # noqa: F811
    set_wall_clock(NOON)
    return caller_context(new_sandbox_id())


def _without(body, name):
    return {k: v for k, v in body.items() if k != name}


def _deliver(**fields):
    body = message_body()
    body["messageContent"] = body.pop("content")
    return {**body, **fields}


SEND = "/api/sandbox/send-message"
SCHEDULE = "/api/sandbox/schedule"
DELIVER = "/api/sandbox/messages/deliver"

BAD_BODIES = [
    pytest.param(SEND, message_body(receiverTimezone="Mars/Olympus_Mons"), id="unknown-zone"),
    pytest.param(SEND, message_body(senderTimezone="EST5EDT/../../etc"), id="path-as-zone"),
    pytest.param(SEND, message_body(senderTimezone="localtime"), id="host-zone"),
    pytest.param(SEND, message_body(receiverTimezone=""), id="empty-zone"),
    pytest.param(SEND, message_body(content=""), id="empty-content"),
    pytest.param(SEND, message_body(content="x" * 4001), id="content-over-4000"),
    pytest.param(SEND, message_body(content=7), id="content-not-text"),
    pytest.param(SEND, message_body(senderId=""), id="empty-sender"),
    pytest.param(SEND, message_body(receiverId="a b"), id="receiver-with-space"),
    pytest.param(SEND, message_body(senderId="u" * 200), id="sender-too-long"),
    pytest.param(SEND, _without(message_body(), "receiverTimezone"), id="missing-zone"),
    pytest.param(SEND, _without(message_body(), "content"), id="missing-content"),
    pytest.param(SEND, message_body(extra=True), id="unknown-field"),
    pytest.param(SEND, "not json", id="not-json"),
    pytest.param(SEND, [], id="not-an-object"),
    pytest.param(SCHEDULE, message_body(), id="schedule-without-time"),
    pytest.param(SCHEDULE, message_body(scheduledFor="2026-01-30T11:59:59Z"), id="in-the-past"),
    pytest.param(SCHEDULE, message_body(scheduledFor="2026-01-31T10:00:00"), id="no-offset"),
    pytest.param(SCHEDULE, message_body(scheduledFor="tomorrow"), id="not-a-time"),
    pytest.param(SCHEDULE, message_body(scheduledFor=1769860800), id="epoch-number"),
    pytest.param(SCHEDULE, message_body(scheduledFor="2126-01-31T10:00:00Z"), id="past-2100"),
    pytest.param(SCHEDULE, message_body(scheduledFor="2027-01-31T10:00:00Z"), id="over-a-year"),
    pytest.param(
        SCHEDULE,
        message_body(scheduledFor=FUTURE, receiverTimezone="Nowhere/Town"),
        id="schedule-unknown-zone",
    ),
    pytest.param(DELIVER, message_body(), id="deliver-content-not-messageContent"),
    pytest.param(DELIVER, _deliver(messageContent=""), id="deliver-empty-content"),
    pytest.param(DELIVER, _deliver(receiverTimezone="Europe/Londres"), id="deliver-unknown-zone"),
]


@pytest.mark.parametrize(("path", "body"), BAD_BODIES)
def test_a_bad_body_is_400_and_stores_nothing(caller, delivery_machine, path, body):  # noqa: F811
    answer = call(caller, "POST", path, body=body)

    assert answer.status == 400, answer.body
    assert answer.body["success"] is False
    assert answer.body["code"] == "validation_error"
    assert answer.body["requestId"]
    _nothing_stored(caller, delivery_machine)


def test_content_of_exactly_4000_characters_is_accepted(caller):
    answer = call(caller, "POST", SEND, body=message_body(content="x" * 4000))

    assert answer.status == 201


def test_scheduled_for_exactly_now_is_accepted(caller):
    answer = call(caller, "POST", SCHEDULE, body=message_body(scheduledFor="2026-01-30T12:00:00Z"))

    assert answer.status == 201


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/sandbox/message-state/msg_doesNotExist0000000"),
        ("POST", "/api/sandbox/message/msg_doesNotExist0000000/mark-delivered"),
        ("POST", "/api/sandbox/message/msg_doesNotExist0000000/mark-read"),
        ("POST", "/api/sandbox/message/msg_doesNotExist0000000/mark-replied"),
        ("POST", "/api/sandbox/evaluate-rules/msg_doesNotExist0000000"),
    ],
)
def test_an_unknown_message_is_404_and_changes_nothing(caller, delivery_machine, method, path):  # noqa: F811
    answer = call(caller, method, path)

    assert answer.status == 404
    assert answer.body["code"] == "not_found"
    _nothing_stored(caller, delivery_machine)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/sandbox/message-state/" + "m" * 129),
        ("POST", "/api/sandbox/message/" + "m" * 129 + "/mark-read"),
        ("GET", "/api/sandbox/active-hours/" + "u" * 129),
    ],
)
def test_an_overlong_path_id_is_400(caller, method, path):
    assert call(caller, method, path).status == 400


@pytest.mark.parametrize(
    "query",
    [{"limit": "0"}, {"limit": "101"}, {"limit": "ten"}, {"cursor": "garbage"}, {"sort": "asc"}],
)
def test_a_bad_listing_query_is_400(caller, query):
    answer = call(caller, "GET", "/api/sandbox/messages/sent/user_sender", query=query)

    assert answer.status == 400
    assert answer.body["code"] == "validation_error"


def test_a_read_only_key_cannot_send_or_mark(caller, delivery_machine):  # noqa: F811
    message_id = call(caller, "POST", SEND, body=message_body()).body["messageId"]
    reader = caller_context(caller["sandbox_id"], permissions="read")

    sent = call(reader, "POST", SEND, body=message_body())
    marked = call(reader, "POST", f"/api/sandbox/message/{message_id}/mark-delivered")

    assert (sent.status, marked.status) == (403, 403)
    assert call(reader, "GET", f"/api/sandbox/message-state/{message_id}").body["status"] == "sent"


def _nothing_stored(caller, machine) -> None:
    listing = call(caller, "GET", "/api/sandbox/messages/sent/user_sender")
    assert listing.status == 200 and listing.body == []
    assert call(caller, "GET", "/api/sandbox/messages/received/user_receiver").body == []
    assert audit_entries(caller["sandbox_id"]) == []
    assert stored_sandbox(caller["sandbox_id"]).count("msg") == 0
    assert machine.executions() == []
