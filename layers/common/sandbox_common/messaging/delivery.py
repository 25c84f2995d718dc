"""Delivering waiting messages: by the deliver-message state machine, and by a clock advance.

A waiting message (scheduled, or delayed to its receiver's active hours) is due at
``deliverAt``, in sandbox time. When due, it is checked against the receiver's active hours
*at that due time*, as if the sandbox had lived through it: open, it is delivered then;
closed, it is delayed to the next time the window opens (and delivered at once if that time
has passed too, as after a long clock advance). So advancing the clock by a day delivers a
message delayed to tomorrow morning, dated tomorrow morning.

Every step is one conditional write of the message together with its audit entry, made only
if the message is still exactly as read; a delivery's audit entry has a deterministic id.
A duplicate, late or out-of-order execution, or a clock advance racing the state machine,
therefore delivers a message once: the loser re-reads it and finds it delivered.
"""

from __future__ import annotations

from datetime import datetime

from sandbox_common import business_events, providers
from sandbox_common.errors import Conflict, UpstreamError
from sandbox_common.messaging.active_hours import DEFAULT_WINDOW, ActiveWindow
from sandbox_common.messaging.audit import AuditType, new_audit_entry
from sandbox_common.messaging.delivery_contract import DeliveryOutcome, DeliveryTask
from sandbox_common.messaging.delivery_rules import Settlement, settled, wall_time_due
from sandbox_common.messaging.message_models import Message, details_of
from sandbox_common.messaging.message_states import MessageStatus
from sandbox_common.messaging.users import find_user
from sandbox_common.platform_usage.counters import BusinessEvent, DeliveryKind
from sandbox_common.sandboxes.data_scope import data_expiry
from sandbox_common.sandboxes.models import Sandbox
from sandbox_common.storage.sandbox_items import DataScope

# A message is moved at most this many times in one go (delay, re-delay, deliver); each
# attempt that loses a race re-reads the message first.
_MAX_STEPS = 6
# TransactWriteItems takes 100 items; a message's move writes itself and an entry per move
# (at most ``delivery_rules._MAX_MOVES``).
_BATCH_ITEMS = 100
_MAX_ENTRIES = 4


def receiver_window(scope: DataScope, receiver_id: str) -> ActiveWindow:
    """The receiver's active hours: a known user's own, else the default window."""
    user = find_user(scope, receiver_id)
    return user.activeHours if user else DEFAULT_WINDOW


def deliver_message(sandbox: Sandbox, message_id: str, *, wall_now: datetime) -> DeliveryOutcome:
    """The deliver task's use case: deliver the message if it is due (or delay it to its
    receiver's active hours), and say whether the execution is done or when to look again."""
    scope = DataScope(sandbox.sandbox_id, sandbox.data_generation)
    message = providers.messages_repository().get(scope, message_id)
    if message is None:
        return DeliveryOutcome(done=True, status=None)
    now = sandbox.clock.now(wall_now)
    message, delivered_now = settle(scope, message, now)
    if delivered_now:
        _record_deliveries(scope, DeliveryKind.DELAYED, 1)
    if message is None:
        return DeliveryOutcome(done=True, status=None)
    if not message.waiting:
        return DeliveryOutcome(done=True, status=message.status)
    return DeliveryOutcome(
        done=False, status=message.status, waitUntil=wall_time_due(sandbox, message, wall_now)
    )


def deliver_due(sandbox: Sandbox, now: datetime, *, limit: int = 1000) -> int:
    """Deliver (or delay) every waiting message of ``sandbox`` due at sandbox time ``now``,
    earliest first, at most ``limit``; returns how many were delivered.

    The moves are written in transactions of a few dozen messages (a clock advance making a
    thousand messages due answers in seconds, not in a thousand round trips); a batch that
    loses a race with the state machine or a mark writes nothing and its messages are then
    settled one by one, each re-read.
    """
    scope = DataScope(sandbox.sandbox_id, sandbox.data_generation)
    repository = providers.messages_repository()
    windows: dict[str, ActiveWindow] = {}
    batch: list[tuple[Message, Settlement]] = []
    count = 0

    def write(batch: list[tuple[Message, Settlement]]) -> int:
        try:
            repository.move_many(
                scope,
                [(before, after.message, list(after.entries)) for before, after in batch],
                expires_at=data_expiry(),
            )
        except Conflict:
            return sum(settle(scope, before, now, windows=windows)[1] for before, _ in batch)
        return sum(after.message.status is MessageStatus.DELIVERED for _, after in batch)

    for message in repository.due(scope, now, limit=limit):
        if message.receiverId not in windows:
            windows[message.receiverId] = receiver_window(scope, message.receiverId)
        settlement = settled(message, windows[message.receiverId], now)
        if settlement is None:
            continue
        batch.append((message, settlement))
        items = sum(1 + len(written.entries) for _, written in batch)
        if items + 1 + _MAX_ENTRIES > _BATCH_ITEMS:  # the next message might not fit
            count += write(batch)
            batch = []
    if batch:
        count += write(batch)
    _record_deliveries(scope, DeliveryKind.DELAYED, count)
    return count


def record_failure(
    sandbox: Sandbox, message_id: str, reason: str, *, wall_now: datetime
) -> DeliveryOutcome:
    """Mark a waiting message ``failed`` (its execution gave up), with its audit entry."""
    scope = DataScope(sandbox.sandbox_id, sandbox.data_generation)
    repository = providers.messages_repository()
    now = sandbox.clock.now(wall_now)
    for _ in range(_MAX_STEPS):
        message = repository.get(scope, message_id)
        if message is None:
            return DeliveryOutcome(done=True, status=None)
        if not message.waiting:
            return DeliveryOutcome(done=True, status=message.status)
        failed = message.model_copy(
            update={"status": MessageStatus.FAILED, "failedAt": now, "failureReason": reason}
        )
        entry = new_audit_entry(
            AuditType.MESSAGE_FAILED,
            message.receiverId,
            now,
            message_id=message_id,
            status=MessageStatus.FAILED.value,
            details={**details_of(message), "reason": reason},
        )
        try:
            repository.move(scope, message, failed, [entry], expires_at=data_expiry())
        except Conflict:
            continue
        _record_deliveries(scope, DeliveryKind.FAILED, 1)
        return DeliveryOutcome(done=True, status=MessageStatus.FAILED)
    raise Conflict("The message kept changing while its failure was recorded")


def run_delivery_task(task: DeliveryTask, *, wall_now: datetime) -> DeliveryOutcome:
    """The deliver function's work for one state at wall time ``wall_now``: deliver the
    message, or record that its delivery failed (done at once when the sandbox is gone)."""
    sandbox = providers.sandboxes_repository().get(task.sandboxId)
    if sandbox is None:
        return DeliveryOutcome(done=True, status=None)
    # No request loaded the sandbox here: what this task writes keeps its data's retention.
    providers.use_sandbox_retention(sandbox.persistent)
    if task.action == "record_failure":
        error = task.error or {}
        reason = str(error.get("Error") or "Delivery failed")
        if error.get("Cause"):
            reason = f"{reason}: {str(error['Cause'])[:300]}"
        return record_failure(sandbox, task.messageId, reason, wall_now=wall_now)
    return deliver_message(sandbox, task.messageId, wall_now=wall_now)


def settle(
    scope: DataScope,
    message: Message,
    now: datetime,
    *,
    windows: dict[str, ActiveWindow] | None = None,
) -> tuple[Message | None, bool]:
    """Move ``message`` as far as sandbox time ``now`` takes it; returns the message as it
    ends up (None if it is gone) and whether this call delivered it."""
    repository = providers.messages_repository()
    windows = {} if windows is None else windows
    current: Message | None = message
    for _ in range(_MAX_STEPS):
        if current is None or not current.waiting:
            return current, False
        if current.receiverId not in windows:
            windows[current.receiverId] = receiver_window(scope, current.receiverId)
        settlement = settled(current, windows[current.receiverId], now)
        if settlement is None:
            return current, False
        try:
            repository.move(
                scope,
                current,
                settlement.message,
                list(settlement.entries),
                expires_at=data_expiry(),
            )
        except Conflict:
            # Moved by someone else (another execution, a clock advance, a mark): look again.
            current = repository.get(scope, current.messageId)
            continue
        if settlement.message.status is MessageStatus.DELIVERED:
            return settlement.message, True
        current = settlement.message
    return current, False


def _record_deliveries(scope: DataScope, kind: DeliveryKind, count: int) -> None:
    """Count deliveries this call made (none: a retry or a race found them made already)."""
    if count:
        business_events.record(
            BusinessEvent.DELIVERIES, kind, identity=scope.sandbox_id, amount=count
        )


def start_delivery(sandbox: Sandbox, message: Message, *, wall_now: datetime) -> bool:
    """Start the execution that delivers a waiting message when it falls due.

    Called after the message is stored (a write that failed starts nothing). A start that
    fails is logged, not retried, and does not fail the request: the message stays stored
    and due, and a clock advance (``deliver_due``) still delivers it. The execution is named
    by the message, so a repeated start never makes a second one. Returns whether an
    execution runs for it (started now or before).
    """
    starter = providers.delivery_starter()
    if starter is None:
        return False
    try:
        starter.start_delivery(
            sandbox.sandbox_id, message.messageId, wall_time_due(sandbox, message, wall_now)
        )
    except UpstreamError:
        from sandbox_common.observability import get_logger

        get_logger("messages").exception(
            "delivery execution not started", extra={"message_id": message.messageId}
        )
        return False
    return True
