"""Messages: the stored record, the request bodies and the answers of the message routes.

Field names are the API's (camelCase, as the messaging sandbox documents them), so the
stored document, the answer and the documentation use one spelling. Every time on a
message is sandbox time.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from sandbox_common.clock import isoformat
from sandbox_common.inputs import Instant
from sandbox_common.messaging.ids import USER_ID_PATTERN
from sandbox_common.messaging.message_states import MessageStatus
from sandbox_common.messaging.timestamps import Timestamp
from sandbox_common.pagination import ListingQuery

MESSAGE_ID_PREFIX = "msg_"
MAX_CONTENT_LENGTH = 4000


def new_message_id() -> str:
    """A fresh message id: ``msg_`` and 20 url-safe random characters (unique everywhere)."""
    return MESSAGE_ID_PREFIX + secrets.token_urlsafe(15)


class Message(BaseModel):
    """A message between two users of a sandbox, and where it is in its life."""

    messageId: str
    senderId: str
    receiverId: str
    senderTimezone: str
    receiverTimezone: str
    content: str
    status: MessageStatus
    createdAt: Timestamp
    # When the sender asked for it (``POST /schedule``).
    scheduledFor: Timestamp | None = None
    # When it is due while it waits (scheduled: scheduledFor; delayed: the receiver's next
    # allowed time); kept afterwards as the time it was last due.
    deliverAt: Timestamp | None = None
    deliveredAt: Timestamp | None = None
    readAt: Timestamp | None = None
    repliedAt: Timestamp | None = None
    failedAt: Timestamp | None = None
    # Why it waits or waited (outside the receiver's active hours, with the window).
    delayReason: str | None = None
    failureReason: str | None = None

    @property
    def waiting(self) -> bool:
        """True while the message waits for its delivery time."""
        return self.status in (MessageStatus.SCHEDULED, MessageStatus.DELAYED)


# ------------------------------------------------------------------ requests


def _iana_timezone(name: str) -> str:
    from sandbox_common.errors import InvalidInput
    from sandbox_common.messaging.active_hours import zone_of

    try:
        zone_of(name)
    except InvalidInput as exc:
        raise ValueError(exc.message) from None
    return name


TimezoneName = Annotated[
    str, StringConstraints(min_length=1, max_length=64), AfterValidator(_iana_timezone)
]
"""A valid IANA timezone identifier (``America/New_York``)."""

# A user id named in a body, known to the sandbox or not (messages may name any user).
UserRef = Annotated[str, StringConstraints(pattern=USER_ID_PATTERN)]

Content = Annotated[str, StringConstraints(min_length=1, max_length=MAX_CONTENT_LENGTH)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Parties(_Request):
    senderId: UserRef
    receiverId: UserRef
    senderTimezone: TimezoneName
    receiverTimezone: TimezoneName


class SendMessage(_Parties):
    """``POST /api/sandbox/send-message``: hand a message over now."""

    content: Content


class ScheduleMessage(_Parties):
    """``POST /api/sandbox/schedule``: deliver a message at ``scheduledFor`` (not past)."""

    content: Content
    scheduledFor: Instant


class DeliverMessage(_Parties):
    """``POST /api/sandbox/messages/deliver``: deliver now, or delay to the receiver's hours."""

    messageContent: Content


# ------------------------------------------------------------------ answers


class SentMessage(BaseModel):
    """The answer of ``POST /send-message``."""

    messageId: str
    status: MessageStatus
    sandbox: bool = True
    senderId: str
    receiverId: str
    content: str
    createdAt: Timestamp


def whole_second_instant(moment: datetime) -> str:
    """``moment`` in UTC as the schedule documents it: ``2026-01-31T10:00:00Z`` (with
    milliseconds only when it has a fraction of a second)."""
    utc = moment.astimezone(UTC)
    if utc.microsecond:
        return isoformat(utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


class ScheduledMessage(BaseModel):
    """The answer of ``POST /schedule``: ``scheduledFor`` is the requested instant written
    as the request documents it (UTC, whole seconds, ``Z``), whatever offset it came with."""

    messageId: str
    status: MessageStatus
    sandbox: bool = True
    scheduledFor: str
    deliverAt: Timestamp


class DualTime(BaseModel):
    """One instant as the sender's and the receiver's wall clocks show it."""

    senderLocal: str
    receiverLocal: str


class DeliveryResult(BaseModel):
    """The answer of ``POST /messages/deliver``: delivered now, or delayed and why."""

    messageId: str
    status: MessageStatus
    sandbox: bool = True
    dualTime: DualTime
    deliveredAt: Timestamp | None = None
    # Delayed only: when it will be delivered, the receiver's local time then, and why.
    deliverAt: Timestamp | None = None
    nextDeliveryUtc: Timestamp | None = None
    receiverLocalDeliveryTime: str | None = None
    reason: str | None = None


class MessageSummary(BaseModel):
    """A message as the sent and received listings show it."""

    messageId: str
    senderId: str
    receiverId: str
    content: str
    status: MessageStatus
    createdAt: Timestamp
    scheduledFor: Timestamp | None = None
    deliverAt: Timestamp | None = None
    deliveredAt: Timestamp | None = None


class MessageState(BaseModel):
    """``GET /message-state/{messageId}``: the status and the time of every step so far."""

    messageId: str
    status: MessageStatus
    senderId: str
    receiverId: str
    createdAt: Timestamp
    scheduledFor: Timestamp | None = None
    deliverAt: Timestamp | None = None
    deliveredAt: Timestamp | None = None
    readAt: Timestamp | None = None
    repliedAt: Timestamp | None = None
    failedAt: Timestamp | None = None
    delayReason: str | None = None
    failureReason: str | None = None


class MarkedMessage(BaseModel):
    """The answer of the mark-delivered, mark-read and mark-replied routes."""

    messageId: str
    status: MessageStatus
    deliveredAt: Timestamp | None = None
    readAt: Timestamp | None = None
    repliedAt: Timestamp | None = None


class RuleEvaluation(BaseModel):
    """One rule of the sandbox's rule set and whether it applies to a message."""

    ruleId: str
    name: str
    applies: bool
    reason: str | None = None


class RulesEvaluation(BaseModel):
    """``POST /evaluate-rules/{messageId}``: every rule, whether it applies, why not."""

    messageId: str
    sandbox: bool = True
    applicableRules: list[RuleEvaluation]


# ------------------------------------------------------------------ listings


class MessageListing(ListingQuery):
    """Paging of the sent and received listings (newest first)."""


class MessageFilter(ListingQuery):
    """Which messages a listing returns: one sender's or one receiver's (the path's user,
    so a cursor is bound to it)."""

    senderId: str | None = None
    receiverId: str | None = None


# ------------------------------------------------------------------ active hours


class ActiveHoursAnswer(BaseModel):
    """``GET /active-hours/{userId}``."""

    sandbox: bool = True
    userId: str
    timezone: str
    activeWindow: str
    nowLocalTime: str


class CanDeliverAnswer(BaseModel):
    """``GET /can-deliver/{userId}``: whether a message would be delivered now, why not."""

    sandbox: bool = True
    userId: str
    canDeliver: bool
    reason: str | None
    timezone: str
    activeWindow: str
    localTime: str


class NextDeliveryAnswer(BaseModel):
    """``GET /next-allowed-delivery/{userId}``: the next time a message may be delivered."""

    userId: str
    nextDeliveryUtc: Timestamp
    localTime: str
    isDelayed: bool
    timezone: str


def summary(message: Message) -> MessageSummary:
    """The listing's view of ``message``."""
    return MessageSummary.model_validate(
        message.model_dump(include=set(MessageSummary.model_fields))
    )


def state(message: Message) -> MessageState:
    """The message-state view of ``message``."""
    return MessageState.model_validate(message.model_dump(include=set(MessageState.model_fields)))


def details_of(message: Message) -> dict[str, Any]:
    """What an audit entry about ``message`` records of it."""
    return {
        "senderId": message.senderId,
        "receiverId": message.receiverId,
        "senderTimezone": message.senderTimezone,
        "receiverTimezone": message.receiverTimezone,
    }
