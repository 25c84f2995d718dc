"""The signal catalog: its signals, their event types and demo actions, and unknown types."""

from __future__ import annotations

import re

import pytest

from sandbox_common.errors import InvalidInput
from sandbox_common.messaging.catalog import (
    ACTION_TYPES,
    CHANNELS,
    SIGNALS,
    event_type_of,
    require_signal,
    signal_catalog,
)
from sandbox_common.messaging.rules import DEFAULT_RULES

REQUIRED_SIGNALS = {
    "user_login",
    "user_logout",
    "user_click",
    "page_scroll",
    "page_view",
    "cart_abandoned",
    "purchase_completed",
    "message_opened",
    "session_idle",
    "profile_updated",
}


def test_catalog_holds_every_required_signal_in_snake_case() -> None:
    assert REQUIRED_SIGNALS <= set(SIGNALS)
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", name) for name in SIGNALS)


def test_catalog_answer_has_the_documented_shape() -> None:
    answer = signal_catalog().model_dump(mode="json")
    first = answer["signals"][0]
    assert first == {
        "type": "user_login",
        "description": "User authentication/login event",
        "eventTypes": ["USER_LOGIN"],
        "demoActions": [
            {"type": "send_message", "reason": "User login detected", "channel": "sandbox"},
            {"type": "send_notification", "reason": "Returning user welcome", "channel": "sandbox"},
        ],
    }
    assert [s["type"] for s in answer["signals"]] == list(SIGNALS)


@pytest.mark.parametrize("signal_type", sorted(REQUIRED_SIGNALS))
def test_every_signal_is_described_and_normalized_to_upper_case(signal_type: str) -> None:
    spec = SIGNALS[signal_type]
    assert spec.description
    assert spec.eventTypes == (signal_type.upper(),)
    assert event_type_of(signal_type) == signal_type.upper()
    assert spec.demoActions
    for action in spec.demoActions:
        assert action.type in ACTION_TYPES
        assert action.channel in CHANNELS


@pytest.mark.parametrize("signal_type", list(SIGNALS))
def test_demo_actions_are_what_the_default_rules_decide_in_priority_order(
    signal_type: str,
) -> None:
    rules = sorted(
        (rule for rule in DEFAULT_RULES if rule.trigger == signal_type),
        key=lambda rule: rule.priority,
    )
    demo = [(a.type, a.reason, a.channel) for a in SIGNALS[signal_type].demoActions]
    assert demo == [(rule.action, rule.reason, rule.channel) for rule in rules]


def test_channels_include_the_sandbox_one_and_action_types_the_documented_ones() -> None:
    assert "sandbox" in CHANNELS
    assert {"send_message", "send_notification"} <= set(ACTION_TYPES)


def test_unknown_signal_type_is_a_400_listing_the_valid_types() -> None:
    with pytest.raises(InvalidInput) as refused:
        require_signal("login")
    assert refused.value.status_code == 400
    assert refused.value.code == "validation_error"
    assert "'login'" in refused.value.message
    for name in SIGNALS:
        assert name in refused.value.message
    assert refused.value.details is not None
    assert refused.value.details[0]["loc"] == ["body", "type"]


def test_unknown_signal_type_names_the_field_it_came_from() -> None:
    with pytest.raises(InvalidInput) as refused:
        require_signal("USER_LOGIN", field="eventType")
    assert refused.value.details is not None
    assert refused.value.details[0]["loc"] == ["body", "eventType"]


def test_event_type_of_an_unknown_signal_is_refused() -> None:
    with pytest.raises(InvalidInput):
        event_type_of("page_scrolled")


def test_a_huge_unknown_type_is_cut_short_in_the_message() -> None:
    with pytest.raises(InvalidInput) as refused:
        require_signal("x" * 5000)
    assert len(refused.value.message) < 1000
