"""A message's life: which status moves are allowed, and how a refused move is reported."""

from __future__ import annotations

import itertools

import pytest

from sandbox_common.errors import Conflict
from sandbox_common.messaging.message_states import (
    WAITING,
    InvalidStateTransition,
    MessageStatus,
    can_move,
    check_move,
    sources_of,
)

S = MessageStatus
ALLOWED = {
    (S.SCHEDULED, S.DELAYED),
    (S.SCHEDULED, S.DELIVERED),
    (S.DELAYED, S.DELIVERED),
    (S.SENT, S.DELIVERED),
    (S.DELIVERED, S.READ),
    (S.READ, S.REPLIED),
    (S.SCHEDULED, S.FAILED),
    (S.DELAYED, S.FAILED),
}
ALL_PAIRS = list(itertools.product(MessageStatus, repeat=2))


def test_statuses_are_the_documented_lower_case_words() -> None:
    assert [s.value for s in MessageStatus] == [
        "scheduled",
        "delayed",
        "sent",
        "delivered",
        "read",
        "replied",
        "failed",
    ]


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS)
def test_every_pair_is_allowed_exactly_when_the_life_of_a_message_allows_it(
    current: MessageStatus, target: MessageStatus
) -> None:
    allowed = (current, target) in ALLOWED
    assert can_move(current, target) is allowed
    if allowed:
        check_move(current, target)
    else:
        with pytest.raises(InvalidStateTransition) as refused:
            check_move(current, target)
        assert refused.value.status_code == 409
        assert refused.value.code == "invalid_state_transition"
        assert f"'{current}'" in refused.value.message
        assert f"'{target}'" in refused.value.message


@pytest.mark.parametrize("status", list(MessageStatus))
def test_a_message_never_moves_to_the_status_it_already_has(status: MessageStatus) -> None:
    with pytest.raises(InvalidStateTransition):
        check_move(status, status)


def test_refusal_is_a_conflict_that_says_what_is_still_possible() -> None:
    with pytest.raises(Conflict) as refused:
        check_move(S.SCHEDULED, S.READ)
    assert "delayed, delivered, failed" in refused.value.message
    assert refused.value.details == [
        {"from": "scheduled", "to": "read", "allowed": ["delayed", "delivered", "failed"]}
    ]


def test_refusal_from_a_final_status_says_it_cannot_change() -> None:
    with pytest.raises(InvalidStateTransition) as refused:
        check_move(S.REPLIED, S.READ)
    assert "cannot change anymore" in refused.value.message


@pytest.mark.parametrize("target", list(MessageStatus))
def test_sources_of_a_status_are_exactly_the_statuses_allowed_to_move_there(
    target: MessageStatus,
) -> None:
    assert sources_of(target) == {current for current, to in ALLOWED if to == target}


def test_delivery_is_reachable_from_every_status_a_message_waits_in_and_from_sent() -> None:
    assert sources_of(S.DELIVERED) == {S.SCHEDULED, S.DELAYED, S.SENT}
    assert WAITING == {S.SCHEDULED, S.DELAYED}
    assert sources_of(S.SCHEDULED) == frozenset()
