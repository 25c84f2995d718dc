"""Messages: send now, schedule, deliver through the delivery service, list sent/received."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from sandbox_common.http.auth import Caller
from sandbox_common.http.listing import paged
from sandbox_common.http.params import ResourceId
from sandbox_common.messaging.message_models import (
    DeliverMessage,
    DeliveryResult,
    MessageListing,
    MessageSummary,
    ScheduledMessage,
    ScheduleMessage,
    SendMessage,
    SentMessage,
)

# Each route imports its use cases when first called, not at cold start: they pull in
# storage, users and the audit trail, and the routes need only the request/answer models.
router = APIRouter(prefix="/api/sandbox", tags=["messages"])


@router.post("/send-message", status_code=201, response_model=SentMessage)
def send_message(body: SendMessage, caller: Caller) -> SentMessage:
    """Send a message now (status ``sent``)."""
    from sandbox_common.messaging import messages

    return messages.send_message(caller, body)


@router.post("/schedule", status_code=201, response_model=ScheduledMessage)
def schedule_message(body: ScheduleMessage, caller: Caller) -> ScheduledMessage:
    """Schedule a message for ``scheduledFor`` (ISO 8601 with offset, not in the past)."""
    from sandbox_common.messaging import messages

    return messages.schedule_message(caller, body)


@router.post(
    "/messages/deliver",
    status_code=201,
    response_model=DeliveryResult,
    response_model_exclude_none=True,
)
def deliver_message(body: DeliverMessage, caller: Caller) -> DeliveryResult:
    """Deliver now inside the receiver's active hours, otherwise delay to the next allowed
    time (``delayed``, with ``deliverAt`` and why)."""
    from sandbox_common.messaging import messages

    return messages.deliver_now(caller, body)


@router.get(
    "/messages/sent/{senderId}",
    response_model=list[MessageSummary],
    response_model_exclude_none=True,
)
def list_sent(
    senderId: ResourceId,
    caller: Caller,
    response: Response,
    query: Annotated[MessageListing, Query()],
) -> list[MessageSummary]:
    """The messages a user sent, newest first; the next page's cursor is in X-Next-Cursor."""
    from sandbox_common.messaging import messages

    return paged(messages.list_sent(caller, senderId, query), response)


@router.get(
    "/messages/received/{receiverId}",
    response_model=list[MessageSummary],
    response_model_exclude_none=True,
)
def list_received(
    receiverId: ResourceId,
    caller: Caller,
    response: Response,
    query: Annotated[MessageListing, Query()],
) -> list[MessageSummary]:
    """The messages a user received, newest first; cursor in X-Next-Cursor."""
    from sandbox_common.messaging import messages

    return paged(messages.list_received(caller, receiverId, query), response)
