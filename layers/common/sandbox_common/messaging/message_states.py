"""The life of a message: its statuses and the moves allowed between them (pure).

A message waits (``scheduled``, or ``delayed`` when the receiver's active hours pushed it
back), is ``delivered``, then ``read`` and ``replied`` to. A waiting message that can no
longer be delivered is ``failed``. ``sent`` is the status of a message handed over at once;
it still has to be marked delivered. Every other move is refused, so a client can never,
say, mark a message read before it arrived, or deliver it twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from sandbox_common.errors import Conflict

__all__ = [
    "ALLOWED_MOVES",
    "WAITING",
    "InvalidStateTransition",
    "MessageStatus",
    "can_move",
    "check_move",
    "sources_of",
]


class MessageStatus(StrEnum):
    """Where a message is in its life."""

    SCHEDULED = "scheduled"
    DELAYED = "delayed"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    REPLIED = "replied"
    FAILED = "failed"


class InvalidStateTransition(Conflict):
    """The message's current status does not allow the requested one."""

    code = "invalid_state_transition"


_S = MessageStatus

# current status -> the statuses it may move to
ALLOWED_MOVES: Mapping[MessageStatus, frozenset[MessageStatus]] = MappingProxyType(
    {
        _S.SCHEDULED: frozenset({_S.DELAYED, _S.DELIVERED, _S.FAILED}),
        _S.DELAYED: frozenset({_S.DELIVERED, _S.FAILED}),
        _S.SENT: frozenset({_S.DELIVERED}),
        _S.DELIVERED: frozenset({_S.READ}),
        _S.READ: frozenset({_S.REPLIED}),
        _S.REPLIED: frozenset(),
        _S.FAILED: frozenset(),
    }
)

# Statuses of a message still waiting for its delivery time.
WAITING: frozenset[MessageStatus] = frozenset({_S.SCHEDULED, _S.DELAYED})

_SOURCES: Mapping[MessageStatus, frozenset[MessageStatus]] = MappingProxyType(
    {
        target: frozenset(source for source, targets in ALLOWED_MOVES.items() if target in targets)
        for target in MessageStatus
    }
)


def can_move(current: MessageStatus, target: MessageStatus) -> bool:
    """Whether a message in ``current`` may move to ``target``."""
    return target in ALLOWED_MOVES[current]


def check_move(current: MessageStatus, target: MessageStatus) -> None:
    """Refuse (409 ``invalid_state_transition``) a move the message's life does not allow."""
    if can_move(current, target):
        return
    allowed = sorted(ALLOWED_MOVES[current])
    then = f"it can only become {', '.join(allowed)}" if allowed else "it cannot change anymore"
    raise InvalidStateTransition(
        f"Cannot move a message from '{current}' to '{target}': {then}",
        details=[{"from": str(current), "to": str(target), "allowed": [str(s) for s in allowed]}],
    )


def sources_of(target: MessageStatus) -> frozenset[MessageStatus]:
    """The statuses a message may be in to move to ``target`` (the condition of the write)."""
    return _SOURCES[target]
