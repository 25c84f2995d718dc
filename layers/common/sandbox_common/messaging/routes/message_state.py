"""Message state: read it, and mark a message delivered, read or replied."""

from __future__ import annotations

from fastapi import APIRouter

from sandbox_common.http.auth import Caller
from sandbox_common.http.params import ResourceId
from sandbox_common.messaging.message_models import MarkedMessage, MessageState
from sandbox_common.messaging.message_states import MessageStatus

# Each route imports its use cases when first called, not at cold start: they pull in
# storage, users and the audit trail, and the routes need only the request/answer models.
router = APIRouter(prefix="/api/sandbox", tags=["message state"])


@router.get(
    "/message-state/{messageId}", response_model=MessageState, response_model_exclude_none=True
)
def get_message_state(messageId: ResourceId, caller: Caller) -> MessageState:
    """The message's status and the time of each step so far."""
    from sandbox_common.messaging import messages

    return messages.get_state(caller, messageId)


@router.post(
    "/message/{messageId}/mark-delivered",
    response_model=MarkedMessage,
    response_model_exclude_none=True,
)
def mark_delivered(messageId: ResourceId, caller: Caller) -> MarkedMessage:
    """Mark a sent, scheduled or delayed message delivered."""
    from sandbox_common.messaging import messages

    return messages.mark(caller, messageId, MessageStatus.DELIVERED)


@router.post(
    "/message/{messageId}/mark-read",
    response_model=MarkedMessage,
    response_model_exclude_none=True,
)
def mark_read(messageId: ResourceId, caller: Caller) -> MarkedMessage:
    """Mark a delivered message read."""
    from sandbox_common.messaging import messages

    return messages.mark(caller, messageId, MessageStatus.READ)


@router.post(
    "/message/{messageId}/mark-replied",
    response_model=MarkedMessage,
    response_model_exclude_none=True,
)
def mark_replied(messageId: ResourceId, caller: Caller) -> MarkedMessage:
    """Mark a read message replied."""
    from sandbox_common.messaging import messages

    return messages.mark(caller, messageId, MessageStatus.REPLIED)
