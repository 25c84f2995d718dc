"""Message use cases: send, schedule, deliver now or delay, list, read the state, mark.

Every change is one write of the message with its audit entry (sandbox time). Every entry
about a message is the receiver's (the sender is in its details), so one user's audit tells
a message's whole story. A message that has to wait is handed to the deliver-message state
machine after it is stored.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sandbox_common import business_events, providers
from sandbox_common.auth import AuthContext, Permission
from sandbox_common.clock import isoformat
from sandbox_common.errors import Conflict, InvalidInput, NotFound
from sandbox_common.messaging.active_hours import is_open, local_datetime_label, zone_of
from sandbox_common.messaging.audit import AuditType, new_audit_entry
from sandbox_common.messaging.delivery import receiver_window, start_delivery
from sandbox_common.messaging.delivery_rules import delayed, delivered
from sandbox_common.messaging.message_models import (
    DeliverMessage,
    DeliveryResult,
    DualTime,
    MarkedMessage,
    Message,
    MessageFilter,
    MessageListing,
    MessageState,
    MessageSummary,
    ScheduledMessage,
    ScheduleMessage,
    SendMessage,
    SentMessage,
    details_of,
    new_message_id,
    state,
    summary,
    whole_second_instant,
)
from sandbox_common.messaging.message_states import MessageStatus, check_move
from sandbox_common.pagination import Page
from sandbox_common.platform_usage.counters import BusinessEvent, DeliveryKind
from sandbox_common.sandboxes.data_scope import (
    data_expiry,
    data_scope,
    page_cursor,
    page_limit,
    page_start,
)
from sandbox_common.storage.sandbox_items import DataScope, Kind

# How far ahead a message may be scheduled: a Step Functions execution lives at most a year,
# and the sandbox clock moves at most a year at once.
MAX_SCHEDULE_AHEAD = timedelta(days=365)
# A mark that loses a race re-reads the message and decides again, this many times.
_MARK_ATTEMPTS = 3

# target status -> (the field stamped with the time, the audit entry's type)
_MARKS: dict[MessageStatus, tuple[str, AuditType]] = {
    MessageStatus.DELIVERED: ("deliveredAt", AuditType.MESSAGE_DELIVERED),
    MessageStatus.READ: ("readAt", AuditType.MESSAGE_READ),
    MessageStatus.REPLIED: ("repliedAt", AuditType.MESSAGE_REPLIED),
}


def send_message(caller: AuthContext, body: SendMessage) -> SentMessage:
    """Hand a message over now: stored as ``sent`` (marking it delivered is the next step)."""
    caller.require(Permission.WRITE)
    _, scope = data_scope(caller)
    now = providers.clock().now()
    message = _new_message(body, body.content, MessageStatus.SENT, now)
    entry = new_audit_entry(
        AuditType.MESSAGE_SENT,
        message.receiverId,
        now,
        message_id=message.messageId,
        status=message.status.value,
        details=details_of(message),
    )
    providers.messages_repository().add(scope, message, [entry], expires_at=data_expiry())
    return SentMessage.model_validate(message.model_dump(include=set(SentMessage.model_fields)))


def schedule_message(caller: AuthContext, body: ScheduleMessage) -> ScheduledMessage:
    """Store a message ``scheduled`` for ``scheduledFor`` and start its delivery execution.

    400 when ``scheduledFor`` is earlier than the sandbox's now or more than 365 days later.
    """
    caller.require(Permission.WRITE)
    sandbox, scope = data_scope(caller)
    now = providers.clock().now()
    if body.scheduledFor < now:
        raise InvalidInput(
            f"'scheduledFor' ({isoformat(body.scheduledFor)}) is in the past: the sandbox's "
            f"now is {isoformat(now)}",
            details=[{"loc": ["body", "scheduledFor"], "msg": "must not be in the past"}],
        )
    if body.scheduledFor > now + MAX_SCHEDULE_AHEAD:
        raise InvalidInput(
            f"'scheduledFor' ({isoformat(body.scheduledFor)}) is more than "
            f"{MAX_SCHEDULE_AHEAD.days} days after the sandbox's now ({isoformat(now)})",
            details=[{"loc": ["body", "scheduledFor"], "msg": "must be within 365 days"}],
        )
    message = _new_message(body, body.content, MessageStatus.SCHEDULED, now).model_copy(
        update={"scheduledFor": body.scheduledFor, "deliverAt": body.scheduledFor}
    )
    entry = new_audit_entry(
        AuditType.MESSAGE_SCHEDULED,
        message.receiverId,
        now,
        message_id=message.messageId,
        status=message.status.value,
        details={**details_of(message), "scheduledFor": isoformat(body.scheduledFor)},
    )
    # Kept for the retention period after it is due, not after it was scheduled: a message
    # scheduled weeks ahead must still be there when its execution comes for it.
    kept_until = data_expiry(after=body.scheduledFor - now)
    providers.messages_repository().add(scope, message, [entry], expires_at=kept_until)
    start_delivery(sandbox, message, wall_now=providers.wall_clock().now())
    return ScheduledMessage(
        messageId=message.messageId,
        status=message.status,
        scheduledFor=whole_second_instant(body.scheduledFor),
        deliverAt=body.scheduledFor,
    )


def deliver_now(caller: AuthContext, body: DeliverMessage) -> DeliveryResult:
    """Deliver a message now if the receiver is inside active hours; otherwise store it
    ``delayed`` to the next allowed time (and why) and start its delivery execution."""
    caller.require(Permission.WRITE)
    sandbox, scope = data_scope(caller)
    now = providers.clock().now()
    # Handed to the delivery service now: delivered at once, or delayed from here.
    pending = _new_message(body, body.messageContent, MessageStatus.SENT, now)
    pending = pending.model_copy(update={"deliverAt": now})
    window = receiver_window(scope, body.receiverId)
    zone = zone_of(body.receiverTimezone)
    step = (
        delivered(pending, now)
        if is_open(window, zone, now)
        else delayed(pending, window, zone, now)
    )
    message = step.message
    providers.messages_repository().add(scope, message, [step.entry], expires_at=data_expiry())
    if message.waiting:
        start_delivery(sandbox, message, wall_now=providers.wall_clock().now())
    else:
        business_events.record(
            BusinessEvent.DELIVERIES, DeliveryKind.ON_TIME, identity=scope.sandbox_id
        )
    dual_time = DualTime(
        senderLocal=local_datetime_label(now, zone_of(body.senderTimezone)),
        receiverLocal=local_datetime_label(now, zone),
    )
    if not message.waiting:
        return DeliveryResult(
            messageId=message.messageId,
            status=message.status,
            dualTime=dual_time,
            deliveredAt=message.deliveredAt,
        )
    due = message.deliverAt or now
    return DeliveryResult(
        messageId=message.messageId,
        status=message.status,
        dualTime=dual_time,
        deliverAt=due,
        nextDeliveryUtc=due,
        receiverLocalDeliveryTime=local_datetime_label(due, zone),
        reason=message.delayReason,
    )


def list_sent(caller: AuthContext, sender_id: str, query: MessageListing) -> Page[MessageSummary]:
    """The messages ``sender_id`` sent, newest first (empty for a user who sent none)."""
    return _listing(
        caller, MessageFilter(senderId=sender_id, limit=query.limit, cursor=query.cursor)
    )


def list_received(
    caller: AuthContext, receiver_id: str, query: MessageListing
) -> Page[MessageSummary]:
    """The messages addressed to ``receiver_id``, newest first."""
    return _listing(
        caller, MessageFilter(receiverId=receiver_id, limit=query.limit, cursor=query.cursor)
    )


def get_state(caller: AuthContext, message_id: str) -> MessageState:
    """Where a message is in its life, with the time of every step; 404 if not the sandbox's."""
    caller.require(Permission.READ)
    _, scope = data_scope(caller)
    return state(find_message(scope, message_id))


def mark(caller: AuthContext, message_id: str, target: MessageStatus) -> MarkedMessage:
    """Move a message to ``target`` (delivered, read or replied) at the sandbox's now.

    409 ``invalid_state_transition`` when its status does not allow the move (nothing is
    changed); the write is conditional on the status read, so of two concurrent marks
    exactly one succeeds and the other is refused as invalid.
    """
    caller.require(Permission.WRITE)
    _, scope = data_scope(caller)
    stamp, audit_type = _MARKS[target]
    repository = providers.messages_repository()
    for _ in range(_MARK_ATTEMPTS):
        message = find_message(scope, message_id)
        check_move(message.status, target)
        now = providers.clock().now()
        if target is MessageStatus.DELIVERED:
            step = delivered(message, now)
            after, entry = step.message, step.entry
        else:
            after = message.model_copy(update={"status": target, stamp: now})
            entry = new_audit_entry(
                audit_type,
                message.receiverId,
                now,
                message_id=message_id,
                status=target.value,
                details={**details_of(message), "from": message.status.value},
            )
        try:
            repository.move(scope, message, after, [entry], expires_at=data_expiry())
        except Conflict:
            continue  # moved meanwhile: the next read decides whether the move is still valid
        return MarkedMessage.model_validate(
            after.model_dump(include=set(MarkedMessage.model_fields))
        )
    raise Conflict("The message kept changing; try again")


def find_message(scope: DataScope, message_id: str) -> Message:
    """The sandbox's message ``message_id``; 404 otherwise."""
    message = providers.messages_repository().get(scope, message_id)
    if message is None:
        shown = message_id if len(message_id) <= 64 else message_id[:64] + "..."
        raise NotFound(f"Message '{shown}' not found in this sandbox")
    return message


def _new_message(
    body: SendMessage | ScheduleMessage | DeliverMessage,
    content: str,
    status: MessageStatus,
    now: datetime,
) -> Message:
    return Message(
        messageId=new_message_id(),
        senderId=body.senderId,
        receiverId=body.receiverId,
        senderTimezone=body.senderTimezone,
        receiverTimezone=body.receiverTimezone,
        content=content,
        status=status,
        createdAt=now,
    )


def _listing(caller: AuthContext, where: MessageFilter) -> Page[MessageSummary]:
    caller.require(Permission.READ)
    _, scope = data_scope(caller)
    page = providers.messages_repository().page(
        scope,
        where.conditions(),
        limit=page_limit(where.limit),
        after=page_start(scope, Kind.MESSAGE, where),
    )
    return Page(
        [summary(message) for message in page.items],
        page_cursor(scope, Kind.MESSAGE, where, page.next_position),
    )
