"""Behavioral rules as data, the default rule set, and the pure engine that evaluates them.

A rule fires on one signal type (its trigger) when all of its conditions hold for the
user at the signal's moment, and then decides one action on one channel, after ``delayMs``,
with a confidence and a reason. Rules are evaluated in priority order (1 = first). The
engine is pure: the caller supplies the user's local time, active hours, the signal's
metadata and how many decisions each capped rule already made for the user.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from sandbox_common.errors import InvalidInput
from sandbox_common.messaging.active_hours import (
    DEFAULT_WINDOW,
    ActiveWindow,
    ClockText,
    IsoWeekday,
    is_open_at_local,
    window_label,
)
from sandbox_common.messaging.catalog import MESSAGE_ACTIONS, SIGNALS, ActionType, Channel

__all__ = [
    "DEFAULT_RULES",
    "MAX_CONDITIONS",
    "MAX_RULES",
    "ActiveHoursOnly",
    "Condition",
    "DaysOfWeek",
    "FrequencyCap",
    "LocalTimeWindow",
    "MessageContext",
    "MetadataEquals",
    "MetadataIn",
    "Rule",
    "RuleContext",
    "RuleOutcome",
    "RuleSet",
    "evaluate",
    "evaluate_message",
    "frequency_caps",
    "parse_rule_set",
    "triggered",
]

MAX_RULES = 50
MAX_CONDITIONS = 10
MAX_DELAY_MS = 7 * 24 * 3600 * 1000
_WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

MetadataKey = Annotated[str, StringConstraints(min_length=1, max_length=64)]
# Metadata values a condition compares with: JSON scalars, bounded.
MetadataValue = Annotated[str, StringConstraints(max_length=256)] | int | float | bool | None


class LocalTimeWindow(BaseModel):
    """The user's local time is between ``start`` (included) and ``end`` (excluded)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["local_time"] = "local_time"
    start: ClockText
    end: ClockText

    @model_validator(mode="after")
    def _has_length(self) -> LocalTimeWindow:
        if self.start == self.end:
            raise ValueError("start and end must differ")
        return self

    @property
    def window(self) -> ActiveWindow:
        """The same span as an every-day window (wrapping midnight when end < start)."""
        return ActiveWindow(start=self.start, end=self.end)


class DaysOfWeek(BaseModel):
    """The user's local day is one of ``days`` (ISO weekdays, 1 = Monday)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["days_of_week"] = "days_of_week"
    days: tuple[IsoWeekday, ...] = Field(min_length=1, max_length=7)

    @field_validator("days")
    @classmethod
    def _distinct_sorted(cls, days: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(sorted(set(days)))


class MetadataEquals(BaseModel):
    """The signal's metadata has ``field`` equal to ``value`` (same JSON type)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["metadata_equals"] = "metadata_equals"
    field: MetadataKey
    value: MetadataValue


class MetadataIn(BaseModel):
    """The signal's metadata has ``field`` equal to one of ``values``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["metadata_in"] = "metadata_in"
    field: MetadataKey
    values: tuple[MetadataValue, ...] = Field(min_length=1, max_length=20)


class FrequencyCap(BaseModel):
    """The rule made fewer than ``maxDecisions`` decisions for the user in ``withinHours``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["frequency_cap"] = "frequency_cap"
    maxDecisions: int = Field(strict=True, ge=1, le=100)
    withinHours: int = Field(strict=True, ge=1, le=24 * 30)


class ActiveHoursOnly(BaseModel):
    """The user's active hours are open at the signal's moment."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["active_hours_only"] = "active_hours_only"


Condition = Annotated[
    LocalTimeWindow | DaysOfWeek | MetadataEquals | MetadataIn | FrequencyCap | ActiveHoursOnly,
    Field(discriminator="type"),
]


class Rule(BaseModel):
    """One behavioral rule: on ``trigger``, if every condition holds, decide ``action``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    trigger: Annotated[str, StringConstraints(max_length=64)] = Field(
        description="Signal type of the catalog that the rule reacts to"
    )
    conditions: tuple[Condition, ...] = Field(default=(), max_length=MAX_CONDITIONS)
    action: ActionType
    channel: Channel = Channel.SANDBOX
    priority: int = Field(strict=True, ge=1, le=1000, description="1 is evaluated first")
    delayMs: int = Field(default=0, strict=True, ge=0, le=MAX_DELAY_MS)
    confidence: float = Field(strict=True, ge=0, le=1, allow_inf_nan=False)
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

    @field_validator("trigger")
    @classmethod
    def _known_trigger(cls, trigger: str) -> str:
        if trigger not in SIGNALS:
            raise ValueError(f"unknown signal type '{trigger}'; valid: {', '.join(SIGNALS)}")
        return trigger

    @field_validator("conditions")
    @classmethod
    def _one_cap(cls, conditions: tuple[Condition, ...]) -> tuple[Condition, ...]:
        if sum(isinstance(c, FrequencyCap) for c in conditions) > 1:
            raise ValueError("a rule has at most one frequency_cap condition")
        return conditions

    @property
    def frequency_cap(self) -> FrequencyCap | None:
        """The rule's frequency cap, if it has one."""
        return next((c for c in self.conditions if isinstance(c, FrequencyCap)), None)


class RuleSet(BaseModel):
    """A sandbox's rules: at most 50, ids unique."""

    model_config = ConfigDict(extra="forbid")

    rules: list[Rule] = Field(max_length=MAX_RULES)

    @field_validator("rules")
    @classmethod
    def _unique_ids(cls, rules: list[Rule]) -> list[Rule]:
        seen: dict[str, int] = {}
        for index, rule in enumerate(rules):
            if rule.id in seen:
                raise ValueError(
                    f"duplicate rule id '{rule.id}' (rules {seen[rule.id]} and {index})"
                )
            seen[rule.id] = index
        return rules


def parse_rule_set(data: object) -> RuleSet:
    """A validated rule set from JSON-like ``data``; 400 naming each bad rule otherwise."""
    try:
        return RuleSet.model_validate(data)
    except ValidationError as exc:
        details = [_error_detail(data, error) for error in exc.errors()[:20]]
        first = details[0]
        where = f"rule '{first['rule']}': " if first.get("rule") else ""
        raise InvalidInput(f"Invalid rule set: {where}{first['msg']}", details=details) from exc


def _error_detail(data: object, error: Any) -> dict[str, Any]:
    loc = list(error.get("loc", ()))
    # A validator's ValueError reads "Value error, <why>": the why is what a client needs.
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    detail: dict[str, Any] = {"loc": ["body", *loc], "msg": message, "type": error.get("type")}
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        detail["ruleIndex"] = loc[1]
        rules = data.get("rules") if isinstance(data, Mapping) else None
        if isinstance(rules, Sequence) and loc[1] < len(rules):
            raw = rules[loc[1]]
            rule_id = raw.get("id") if isinstance(raw, Mapping) else None
            if isinstance(rule_id, str) and len(rule_id) <= 64:
                detail["rule"] = rule_id
        detail.setdefault("rule", f"#{loc[1]}")
    return detail


class RuleContext(BaseModel):
    """What a rule is evaluated against when a signal arrives for a user."""

    model_config = ConfigDict(frozen=True)

    signal_type: str
    local_time: AwareDatetime = Field(description="The signal's moment on the user's clock")
    metadata: Mapping[str, Any] = Field(default_factory=dict)
    # rule id -> decisions that rule made for this user within its frequency cap's hours
    recent_decisions: Mapping[str, int] = Field(default_factory=dict)
    active_window: ActiveWindow = DEFAULT_WINDOW


class MessageContext(BaseModel):
    """A message as its receiver meets it: the moment on the receiver's clock, and so on."""

    model_config = ConfigDict(frozen=True)

    local_time: AwareDatetime = Field(description="When the message reaches the receiver")
    channel: Channel = Channel.SANDBOX
    metadata: Mapping[str, Any] = Field(
        default_factory=dict, description="The message's attributes (senderId, status, ...)"
    )
    recent_decisions: Mapping[str, int] = Field(default_factory=dict)
    active_window: ActiveWindow = DEFAULT_WINDOW


class RuleOutcome(BaseModel):
    """Whether one rule applies, and if not, the first reason it does not."""

    model_config = ConfigDict(frozen=True)

    rule: Rule
    applies: bool
    why_not: str | None = None

    @property
    def rule_id(self) -> str:
        """The rule's id."""
        return self.rule.id


def evaluate(rules: Iterable[Rule], context: RuleContext) -> list[RuleOutcome]:
    """Every rule's outcome for ``context``, in priority order (ties keep the rules' order)."""
    outcomes = []
    for rule in _by_priority(rules):
        why_not = (
            f"trigger is {rule.trigger}, not {context.signal_type}"
            if rule.trigger != context.signal_type
            else _failed_condition(rule, context)
        )
        outcomes.append(RuleOutcome(rule=rule, applies=why_not is None, why_not=why_not))
    return outcomes


def triggered(rules: Iterable[Rule], context: RuleContext) -> list[Rule]:
    """The rules that apply to ``context``, in priority order: one decision each."""
    return [outcome.rule for outcome in evaluate(rules, context) if outcome.applies]


def evaluate_message(rules: Iterable[Rule], context: MessageContext) -> list[RuleOutcome]:
    """Every rule's outcome for a message, in priority order.

    A message is not a signal, so a rule's trigger is not compared. A rule applies to a
    message when its action is one that sends a message (``send_message``) on the message's
    channel and every one of its conditions holds for the receiver at the moment the message
    reaches them: local time and days on the receiver's clock, the receiver's active hours,
    the message's attributes as metadata, and the receiver's recent decisions of the rule for
    its frequency cap. In short: the rule would let this message through, and it is the kind
    of rule that sends one.
    """
    outcomes = []
    for rule in _by_priority(rules):
        if rule.action not in MESSAGE_ACTIONS:
            why_not: str | None = f"action {rule.action} does not send a message"
        elif rule.channel != context.channel:
            why_not = f"channel is {rule.channel}, not {context.channel}"
        else:
            why_not = _failed_condition(rule, context)
        outcomes.append(RuleOutcome(rule=rule, applies=why_not is None, why_not=why_not))
    return outcomes


def frequency_caps(rules: Iterable[Rule]) -> dict[str, FrequencyCap]:
    """Rule id -> its cap, for every capped rule: the decisions the caller has to count."""
    return {rule.id: cap for rule in rules if (cap := rule.frequency_cap) is not None}


def _by_priority(rules: Iterable[Rule]) -> list[Rule]:
    return sorted(rules, key=lambda rule: rule.priority)  # sorted() is stable


def _failed_condition(rule: Rule, context: RuleContext | MessageContext) -> str | None:
    for condition in rule.conditions:
        why_not = _check(rule, condition, context)
        if why_not is not None:
            return why_not
    return None


def _check(rule: Rule, condition: Condition, context: RuleContext | MessageContext) -> str | None:
    local = context.local_time
    clock = local.strftime("%H:%M")
    match condition:
        case LocalTimeWindow():
            if is_open_at_local(condition.window, local):
                return None
            return f"local time {clock} is outside {condition.start}-{condition.end}"
        case DaysOfWeek():
            if local.isoweekday() in condition.days:
                return None
            allowed = ", ".join(_WEEKDAY_NAMES[day - 1] for day in condition.days)
            return f"local day {_WEEKDAY_NAMES[local.isoweekday() - 1]} is not one of {allowed}"
        case MetadataEquals():
            return _metadata_mismatch(context.metadata, condition.field, (condition.value,))
        case MetadataIn():
            return _metadata_mismatch(context.metadata, condition.field, condition.values)
        case FrequencyCap():
            if context.recent_decisions.get(rule.id, 0) < condition.maxDecisions:
                return None
            return f"frequency cap {condition.maxDecisions} per {condition.withinHours}h reached"
        case ActiveHoursOnly():
            if is_open_at_local(context.active_window, local):
                return None
            label = window_label(context.active_window)
            return f"local time {clock} is outside active hours {label}"


def _metadata_mismatch(
    metadata: Mapping[str, Any], field: str, allowed: Sequence[object]
) -> str | None:
    if field not in metadata:
        return f"metadata.{field} is missing"
    value = metadata[field]
    if any(_same_json(value, candidate) for candidate in allowed):
        return None
    expected = (
        _shown(allowed[0])
        if len(allowed) == 1
        else "one of " + ", ".join(_shown(v) for v in allowed)
    )
    return f"metadata.{field} is {_shown(value)}, not {expected}"


def _same_json(value: object, expected: object) -> bool:
    # JSON's true is not 1 and "1" is not 1, though Python's == says so for the first.
    if isinstance(value, bool) or isinstance(expected, bool):
        return isinstance(value, bool) and isinstance(expected, bool) and value == expected
    return value == expected and (isinstance(value, str) == isinstance(expected, str))


def _shown(value: object) -> str:
    if value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:40] + "..."


def _rule(
    number: int,
    name: str,
    trigger: str,
    action: ActionType,
    reason: str,
    *,
    priority: int,
    confidence: float,
    delay_ms: int = 0,
    conditions: Sequence[Condition] = (),
) -> Rule:
    return Rule(
        id=f"rule_{number}",
        name=name,
        trigger=trigger,
        conditions=tuple(conditions),
        action=action,
        priority=priority,
        delayMs=delay_ms,
        confidence=confidence,
        reason=reason,
    )


_A = ActionType
_MINUTE_MS = 60_000
_HOUR_MS = 60 * _MINUTE_MS

# The rules of a sandbox that has not replaced them. Every catalog signal has at least one;
# a login always makes two decisions (no condition), the others show each kind of condition.
DEFAULT_RULES: tuple[Rule, ...] = (
    _rule(1, "Login Trigger", "user_login", _A.SEND_MESSAGE, "User login detected",
          priority=1, confidence=0.85),
    _rule(2, "Welcome Back Notification", "user_login", _A.SEND_NOTIFICATION,
          "Returning user welcome", priority=2, confidence=0.7, delay_ms=5 * _MINUTE_MS),
    _rule(3, "Logout Follow-up", "user_logout", _A.SEND_EMAIL,
          "User logged out; follow up later", priority=5, confidence=0.6,
          delay_ms=_HOUR_MS, conditions=[FrequencyCap(maxDecisions=1, withinHours=24)]),
    _rule(4, "Click Engagement Banner", "user_click", _A.SHOW_BANNER,
          "User is engaging with content", priority=6, confidence=0.65,
          conditions=[FrequencyCap(maxDecisions=3, withinHours=24)]),
    _rule(5, "Scroll Recommendation", "page_scroll", _A.SHOW_RECOMMENDATION,
          "User is reading the page", priority=8, confidence=0.6,
          conditions=[FrequencyCap(maxDecisions=5, withinHours=1)]),
    _rule(6, "Page View Recommendation", "page_view", _A.SHOW_RECOMMENDATION, "Page viewed",
          priority=4, confidence=0.55,
          conditions=[FrequencyCap(maxDecisions=10, withinHours=1)]),
    _rule(7, "Pricing Page Offer", "page_view", _A.OFFER_DISCOUNT, "User is looking at prices",
          priority=7, confidence=0.75,
          conditions=[MetadataEquals(field="page", value="pricing"),
                      FrequencyCap(maxDecisions=1, withinHours=24)]),
    _rule(8, "Cart Recovery Message", "cart_abandoned", _A.SEND_MESSAGE,
          "Cart abandoned; remind the user", priority=2, confidence=0.8,
          delay_ms=15 * _MINUTE_MS, conditions=[LocalTimeWindow(start="08:00", end="21:00")]),
    _rule(9, "Cart Reminder Email", "cart_abandoned", _A.SEND_EMAIL,
          "Cart still waiting; send a reminder email", priority=3, confidence=0.7,
          delay_ms=24 * _HOUR_MS, conditions=[FrequencyCap(maxDecisions=1, withinHours=24)]),
    _rule(10, "Purchase Thank You", "purchase_completed", _A.SEND_MESSAGE,
          "Purchase completed; thank the user", priority=1, confidence=0.95),
    _rule(11, "Reply Nudge", "message_opened", _A.SEND_NOTIFICATION,
          "Message opened; suggest a reply", priority=6, confidence=0.5,
          delay_ms=10 * _MINUTE_MS, conditions=[FrequencyCap(maxDecisions=3, withinHours=24)]),
    _rule(12, "Idle Re-engagement", "session_idle", _A.SEND_NOTIFICATION,
          "Session idle; re-engage the user", priority=5, confidence=0.55,
          conditions=[ActiveHoursOnly(), FrequencyCap(maxDecisions=2, withinHours=24)]),
    _rule(13, "Profile Change Confirmation", "profile_updated", _A.SEND_EMAIL,
          "Profile updated; confirm the change", priority=3, confidence=0.8),
)  # fmt: skip
