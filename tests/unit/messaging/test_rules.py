"""Rules as data: validation of rules and rule sets, the default rules, and the pure engine."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from sandbox_common.errors import InvalidInput
from sandbox_common.messaging.active_hours import ActiveWindow
from sandbox_common.messaging.catalog import SIGNALS
from sandbox_common.messaging.rules import (
    DEFAULT_RULES,
    MAX_RULES,
    ActiveHoursOnly,
    DaysOfWeek,
    FrequencyCap,
    LocalTimeWindow,
    MessageContext,
    MetadataEquals,
    MetadataIn,
    Rule,
    RuleContext,
    RuleSet,
    evaluate,
    evaluate_message,
    frequency_caps,
    parse_rule_set,
    triggered,
)

NEW_YORK = ZoneInfo("America/New_York")
DEFAULT_USER_ZONES = [
    "America/New_York",
    "Europe/London",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Sydney",
    "Asia/Tokyo",
]


def make_rule(**overrides: Any) -> Rule:
    fields: dict[str, Any] = {
        "id": "r1",
        "name": "Test rule",
        "trigger": "user_login",
        "action": "send_message",
        "priority": 1,
        "confidence": 0.5,
        "reason": "Because",
    }
    fields.update(overrides)
    return Rule.model_validate(fields)


def new_york_at(hour: int, minute: int = 0, *, day: int = 30) -> datetime:
    # January 2026: the 30th is a Friday, the 31st a Saturday.
    return datetime(2026, 1, day, hour, minute, tzinfo=NEW_YORK)


def signal(signal_type: str = "user_login", **fields: Any) -> RuleContext:
    fields.setdefault("local_time", new_york_at(12))
    return RuleContext(signal_type=signal_type, **fields)


def rule_json(rule: Rule, **overrides: Any) -> dict[str, Any]:
    return {**rule.model_dump(mode="json"), **overrides}


# --- a rule ---------------------------------------------------------------------------


def test_rule_json_uses_the_documented_field_names() -> None:
    dumped = DEFAULT_RULES[0].model_dump(mode="json")
    assert {k: dumped[k] for k in ("id", "name", "trigger", "priority", "delayMs")} == {
        "id": "rule_1",
        "name": "Login Trigger",
        "trigger": "user_login",
        "priority": 1,
        "delayMs": 0,
    }
    assert Rule.model_validate(dumped) == DEFAULT_RULES[0]


def test_rule_with_every_kind_of_condition_survives_a_json_round_trip() -> None:
    rule = make_rule(
        conditions=[
            {"type": "local_time", "start": "22:00", "end": "06:00"},
            {"type": "days_of_week", "days": [6, 7]},
            {"type": "metadata_equals", "field": "page", "value": "pricing"},
            {"type": "metadata_in", "field": "plan", "values": ["pro", 3, True, None]},
            {"type": "frequency_cap", "maxDecisions": 2, "withinHours": 12},
            {"type": "active_hours_only"},
        ]
    )
    assert Rule.model_validate_json(rule.model_dump_json()) == rule


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("trigger", "user_signup"),
        ("action", "send_sms"),
        ("channel", "carrier_pigeon"),
        ("priority", 0),
        ("priority", True),
        ("delayMs", -1),
        ("confidence", 1.5),
        ("confidence", "0.5"),
        ("id", "has space"),
        ("name", ""),
        ("reason", "x" * 201),
        ("surprise", 1),
    ],
)
def test_a_rule_with_a_bad_field_is_refused(field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        make_rule(**{field: value})


def test_an_unknown_trigger_is_refused_naming_the_valid_signals() -> None:
    with pytest.raises(ValidationError) as refused:
        make_rule(trigger="login")
    assert "unknown signal type 'login'" in str(refused.value)
    assert "user_login" in str(refused.value)


@pytest.mark.parametrize(
    "condition",
    [
        {"type": "local_time", "start": "09:00", "end": "09:00"},
        {"type": "days_of_week", "days": []},
        {"type": "metadata_in", "field": "plan", "values": []},
        {"type": "frequency_cap", "maxDecisions": 0, "withinHours": 1},
        {"type": "weather", "sunny": True},
    ],
)
def test_a_bad_condition_is_refused(condition: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        make_rule(conditions=[condition])


def test_a_rule_has_at_most_one_frequency_cap() -> None:
    cap = {"type": "frequency_cap", "maxDecisions": 1, "withinHours": 1}
    with pytest.raises(ValidationError, match="at most one frequency_cap"):
        make_rule(conditions=[cap, cap])


# --- a rule set ------------------------------------------------------------------------


def test_rule_set_of_the_default_rules_is_valid() -> None:
    rules = [rule.model_dump(mode="json") for rule in DEFAULT_RULES]
    assert parse_rule_set({"rules": rules}).rules == list(DEFAULT_RULES)


def test_rule_set_refuses_a_bad_rule_naming_it() -> None:
    good = rule_json(DEFAULT_RULES[0])
    bad = rule_json(DEFAULT_RULES[1], trigger="nope")
    with pytest.raises(InvalidInput) as refused:
        parse_rule_set({"rules": [good, bad]})
    assert refused.value.status_code == 400
    assert refused.value.message.startswith("Invalid rule set: rule 'rule_2': unknown signal type")
    assert refused.value.details is not None
    detail = refused.value.details[0]
    assert detail["rule"] == "rule_2"
    assert detail["ruleIndex"] == 1
    assert detail["loc"] == ["body", "rules", 1, "trigger"]


def test_rule_set_refuses_duplicate_ids() -> None:
    rule = rule_json(DEFAULT_RULES[0])
    with pytest.raises(InvalidInput, match="duplicate rule id 'rule_1'"):
        parse_rule_set({"rules": [rule, rule]})


def test_rule_set_refuses_more_than_fifty_rules() -> None:
    rules = [rule_json(DEFAULT_RULES[0], id=f"r{i}") for i in range(MAX_RULES + 1)]
    with pytest.raises(InvalidInput):
        parse_rule_set({"rules": rules})
    assert len(parse_rule_set({"rules": rules[:MAX_RULES]}).rules) == MAX_RULES


@pytest.mark.parametrize("data", [None, [], {"rules": "all"}, {"rules": [1]}, {}])
def test_rule_set_that_is_not_a_list_of_rules_is_a_400(data: object) -> None:
    with pytest.raises(InvalidInput):
        parse_rule_set(data)


def test_an_empty_rule_set_is_allowed() -> None:
    assert RuleSet(rules=[]).rules == []


# --- default rules -----------------------------------------------------------------------


def test_default_rules_cover_every_signal_of_the_catalog() -> None:
    assert {rule.trigger for rule in DEFAULT_RULES} == set(SIGNALS)
    RuleSet(rules=list(DEFAULT_RULES))  # unique ids, valid


def test_default_rules_delay_some_actions() -> None:
    assert any(rule.delayMs > 0 for rule in DEFAULT_RULES)
    assert all(rule.delayMs >= 0 for rule in DEFAULT_RULES)


@pytest.mark.parametrize("zone_name", DEFAULT_USER_ZONES)
@pytest.mark.parametrize("hour", range(24))
def test_a_login_makes_two_decisions_for_any_default_user_at_any_hour(
    zone_name: str, hour: int
) -> None:
    context = RuleContext(
        signal_type="user_login",
        local_time=datetime(2026, 1, 31, hour, 30, tzinfo=ZoneInfo(zone_name)),
    )
    fired = triggered(DEFAULT_RULES, context)
    assert [rule.name for rule in fired] == ["Login Trigger", "Welcome Back Notification"]
    first = fired[0]
    assert (first.action, first.confidence, first.reason, first.channel) == (
        "send_message",
        0.85,
        "User login detected",
        "sandbox",
    )


# --- the engine ----------------------------------------------------------------------------


def test_every_rule_gets_an_outcome_in_priority_order() -> None:
    rules = [
        make_rule(id="late", priority=3),
        make_rule(id="first", priority=1),
        make_rule(id="tie_a", priority=2),
        make_rule(id="tie_b", priority=2),
    ]
    outcomes = evaluate(rules, signal())
    assert [o.rule_id for o in outcomes] == ["first", "tie_a", "tie_b", "late"]
    assert all(o.applies and o.why_not is None for o in outcomes)


def test_a_rule_for_another_signal_does_not_apply_and_says_why() -> None:
    [outcome] = evaluate([make_rule(trigger="user_click")], signal("user_login"))
    assert not outcome.applies
    assert outcome.why_not == "trigger is user_click, not user_login"


def test_local_time_window_is_read_on_the_users_clock() -> None:
    rule = make_rule(conditions=[LocalTimeWindow(start="09:00", end="17:00")])
    assert triggered([rule], signal(local_time=new_york_at(9, 0))) == [rule]
    [late] = evaluate([rule], signal(local_time=new_york_at(22, 10)))
    assert late.why_not == "local time 22:10 is outside 09:00-17:00"
    # 22:10 in New York is 03:10 UTC the next day: the same instant, read in UTC, differs.
    utc_instant = new_york_at(22, 10).astimezone(UTC)
    assert evaluate([rule], signal(local_time=utc_instant))[0].why_not == (
        "local time 03:10 is outside 09:00-17:00"
    )


def test_local_time_window_may_wrap_midnight() -> None:
    night = make_rule(conditions=[LocalTimeWindow(start="22:00", end="06:00")])
    assert evaluate([night], signal(local_time=new_york_at(23, 30)))[0].applies
    assert evaluate([night], signal(local_time=new_york_at(5, 59)))[0].applies
    assert not evaluate([night], signal(local_time=new_york_at(6, 0)))[0].applies


def test_days_of_week_uses_the_users_local_day() -> None:
    weekend = make_rule(conditions=[DaysOfWeek(days=(6, 7))])
    assert evaluate([weekend], signal(local_time=new_york_at(10, day=31)))[0].applies
    [friday] = evaluate([weekend], signal(local_time=new_york_at(10, day=30)))
    assert friday.why_not == "local day Fri is not one of Sat, Sun"


def test_metadata_equals_compares_json_values_strictly() -> None:
    rule = make_rule(conditions=[MetadataEquals(field="page", value="pricing")])
    assert evaluate([rule], signal(metadata={"page": "pricing"}))[0].applies
    assert evaluate([rule], signal(metadata={"page": "home"}))[0].why_not == (
        "metadata.page is 'home', not 'pricing'"
    )
    assert evaluate([rule], signal())[0].why_not == "metadata.page is missing"
    flag = make_rule(conditions=[MetadataEquals(field="vip", value=True)])
    assert not evaluate([flag], signal(metadata={"vip": 1}))[0].applies
    assert evaluate([flag], signal(metadata={"vip": True}))[0].applies
    count = make_rule(conditions=[MetadataEquals(field="items", value=3)])
    assert not evaluate([count], signal(metadata={"items": "3"}))[0].applies
    assert evaluate([count], signal(metadata={"items": 3.0}))[0].applies


def test_metadata_in_accepts_any_listed_value() -> None:
    rule = make_rule(conditions=[MetadataIn(field="plan", values=("pro", "team"))])
    assert evaluate([rule], signal(metadata={"plan": "team"}))[0].applies
    assert evaluate([rule], signal(metadata={"plan": "free"}))[0].why_not == (
        "metadata.plan is 'free', not one of 'pro', 'team'"
    )


def test_frequency_cap_stops_a_rule_once_reached() -> None:
    rule = make_rule(id="capped", conditions=[FrequencyCap(maxDecisions=3, withinHours=24)])
    assert evaluate([rule], signal(recent_decisions={"capped": 2}))[0].applies
    assert evaluate([rule], signal(recent_decisions={"other": 9}))[0].applies
    [reached] = evaluate([rule], signal(recent_decisions={"capped": 3}))
    assert reached.why_not == "frequency cap 3 per 24h reached"


def test_frequency_caps_tell_the_caller_what_to_count() -> None:
    caps = frequency_caps(DEFAULT_RULES)
    assert caps["rule_4"] == FrequencyCap(maxDecisions=3, withinHours=24)
    assert "rule_1" not in caps


def test_active_hours_only_follows_the_users_window() -> None:
    rule = make_rule(conditions=[ActiveHoursOnly()])
    assert evaluate([rule], signal(local_time=new_york_at(10)))[0].applies
    [night] = evaluate([rule], signal(local_time=new_york_at(22, 10)))
    assert night.why_not == "local time 22:10 is outside active hours 09:00 - 17:00"
    owl = ActiveWindow(start="20:00", end="02:00")
    assert evaluate([rule], signal(local_time=new_york_at(22, 10), active_window=owl))[0].applies


def test_the_first_failing_condition_is_the_reason_given() -> None:
    rule = make_rule(
        conditions=[
            DaysOfWeek(days=(1,)),
            LocalTimeWindow(start="09:00", end="10:00"),
        ]
    )
    [outcome] = evaluate([rule], signal(local_time=new_york_at(12)))
    assert outcome.why_not is not None and outcome.why_not.startswith("local day Fri")


def test_default_cart_message_only_during_the_day_and_email_still_sent() -> None:
    night = signal("cart_abandoned", local_time=new_york_at(22, 10))
    outcomes = {o.rule_id: o for o in evaluate(DEFAULT_RULES, night)}
    assert outcomes["rule_8"].why_not == "local time 22:10 is outside 08:00-21:00"
    assert outcomes["rule_9"].applies


# --- messages ------------------------------------------------------------------------------


def test_a_message_is_subject_to_the_rules_that_send_messages() -> None:
    context = MessageContext(local_time=new_york_at(12))
    outcomes = {o.rule_id: o for o in evaluate_message(DEFAULT_RULES, context)}
    assert len(outcomes) == len(DEFAULT_RULES)
    assert outcomes["rule_1"].applies  # Login Trigger sends a message
    assert outcomes["rule_10"].applies
    assert outcomes["rule_2"].why_not == "action send_notification does not send a message"


def test_a_message_outside_a_rules_time_window_is_not_subject_to_it() -> None:
    context = MessageContext(local_time=new_york_at(22, 10))
    outcomes = {o.rule_id: o for o in evaluate_message(DEFAULT_RULES, context)}
    assert outcomes["rule_1"].applies
    assert outcomes["rule_8"].why_not == "local time 22:10 is outside 08:00-21:00"


def test_a_message_is_compared_on_channel_and_metadata() -> None:
    email_rule = make_rule(id="mail", channel="email")
    from_us = make_rule(
        id="from_us", conditions=[MetadataEquals(field="senderId", value="user_us")]
    )
    context = MessageContext(local_time=new_york_at(12), metadata={"senderId": "user_uk"})
    outcomes = {o.rule_id: o for o in evaluate_message([email_rule, from_us], context)}
    assert outcomes["mail"].why_not == "channel is email, not sandbox"
    assert outcomes["from_us"].why_not == "metadata.senderId is 'user_uk', not 'user_us'"
