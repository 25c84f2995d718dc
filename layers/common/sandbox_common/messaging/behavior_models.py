"""The behavior half of the messaging sandbox: decisions and actions as stored, the request
bodies, and the answers of the users, signals, events, rules, decisions, orchestration,
actions and audit routes.

Field names are the API's (camelCase, as the messaging sandbox documents them), so the
stored document, the answer and the documentation use one spelling. Every time is sandbox
time.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from sandbox_common.clock import isoformat
from sandbox_common.inputs import Instant, SmallJsonObject
from sandbox_common.messaging.active_hours import ActiveWindow
from sandbox_common.messaging.timestamps import Timestamp
from sandbox_common.messaging.users import UserId
from sandbox_common.pagination import ListingQuery

MAX_METADATA_KEYS = 20

# A user or signal named in a body: any short text. Whether the sandbox knows it is the use
# case's answer (an unknown user is 404, an unknown signal type 400).
UserRef = Annotated[str, StringConstraints(min_length=1, max_length=128)]
SignalType = Annotated[str, StringConstraints(min_length=1, max_length=64)]
# An ``Idempotency-Key`` header: the same shape as a transfer's.
IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9_:.-]{1,128}$"
# An IANA zone name; whether the zone exists is the use case's check (``zone_of``: 400).
ZoneName = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class DecisionStatus(StrEnum):
    """A decision waits (pending) until orchestration executes it."""

    PENDING = "pending"
    EXECUTED = "executed"


class ActionStatus(StrEnum):
    """An action waits (pending) until it is due and allowed, then it is executed."""

    PENDING = "pending"
    EXECUTED = "executed"


# ------------------------------------------------------------------ records

# Records only the use cases and repositories handle are built on first use, not at cold
# start (no route declares them).
_BUILT_ON_FIRST_USE = ConfigDict(defer_build=True)


class Signal(BaseModel):
    """A raw behavioral input as recorded."""

    model_config = _BUILT_ON_FIRST_USE

    signalId: str
    userId: str
    type: str
    metadata: dict[str, Any] = Field(default_factory=dict)
    timestamp: Timestamp
    receivedAt: Timestamp


class Event(BaseModel):
    """The normalized form of a signal that rules are evaluated against."""

    model_config = _BUILT_ON_FIRST_USE

    eventId: str
    signalId: str
    userId: str
    eventType: str
    signalType: str
    timezone: str
    occurredAt: Timestamp
    localTime: str
    metadata: dict[str, Any] = Field(default_factory=dict)
    createdAt: Timestamp


class Decision(BaseModel):
    """What a rule decided about an event; orchestration turns it into an action."""

    decisionId: str
    userId: str
    type: str
    channel: str
    reason: str
    confidence: float
    ruleId: str
    ruleName: str
    priority: int
    delayMs: int
    eventId: str
    signalId: str
    status: DecisionStatus = DecisionStatus.PENDING
    createdAt: Timestamp
    executedAt: Timestamp | None = None
    actionId: str | None = None

    @property
    def user_status(self) -> str:
        """User and status together: the index a user's decisions of one status are in."""
        return f"{self.userId}/{self.status.value}"

    @property
    def user_rule(self) -> str:
        """User and rule together: the index frequency caps count a rule's decisions in."""
        return f"{self.userId}/{self.ruleId}"


class Action(BaseModel):
    """An executed decision: done at once, or pending until ``scheduledAt``."""

    model_config = _BUILT_ON_FIRST_USE

    actionId: str
    userId: str
    actionType: str
    channel: str
    reason: str
    decisionId: str
    ruleId: str
    status: ActionStatus
    createdAt: Timestamp
    scheduledAt: Timestamp
    executedAt: Timestamp | None = None
    # Why it waits or waited: the rule's delay, or the user's active hours.
    delayReason: str | None = None

    @property
    def user_status(self) -> str:
        """User and status together: the index a user's actions of one status are in."""
        return f"{self.userId}/{self.status.value}"

    @property
    def due_key(self) -> str | None:
        """While pending, user and due time: the index the due actions are found by."""
        if self.status is not ActionStatus.PENDING:
            return None
        return f"{self.userId}/{isoformat(self.scheduledAt)}"


# ------------------------------------------------------------------ requests


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _few_keys(value: dict[str, Any]) -> dict[str, Any]:
    if len(value) > MAX_METADATA_KEYS:
        raise ValueError(f"metadata holds at most {MAX_METADATA_KEYS} keys")
    return value


# Stored with the signal and its event, and returned: depth, size and keys are bounded.
Metadata = Annotated[SmallJsonObject, AfterValidator(_few_keys)]


class UserCreate(_Request):
    """``POST /api/sandbox/users``: a new user with a zone and, optionally, active hours."""

    id: UserId
    timezone: ZoneName
    activeHours: ActiveWindow | None = None


class UserUpdate(_Request):
    """``PATCH /api/sandbox/users/{userId}``: a new zone, new active hours, or both."""

    timezone: ZoneName | None = None
    activeHours: ActiveWindow | None = None

    def is_empty(self) -> bool:
        """True when the body changes nothing."""
        return self.timezone is None and self.activeHours is None


class SignalCreate(_Request):
    """``POST /api/sandbox/signals``."""

    userId: UserRef
    type: SignalType
    metadata: Metadata = Field(default_factory=dict)


class EventProcess(_Request):
    """``POST /api/sandbox/events/process``: ``timestamp`` (not in the future) and
    ``timezone`` default to now and the user's zone."""

    type: SignalType
    userId: UserRef
    timestamp: Instant | None = None
    timezone: ZoneName | None = None


class EventTrigger(_Request):
    """``POST /api/sandbox/events``."""

    userId: UserRef
    eventType: SignalType
    metadata: Metadata = Field(default_factory=dict)


class RuleView(BaseModel):
    """A rule as the rules routes show and take it. A replacement set is validated in full
    by the rules engine's own model (known signal and action, conditions, unique ids)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(max_length=64)
    name: str = Field(max_length=100)
    trigger: str = Field(max_length=64, description="A signal type of the catalog")
    conditions: list[dict[str, Any]] = Field(
        default_factory=list,
        max_length=10,
        description=(
            "All must hold: local_time {start, end}, days_of_week {days}, metadata_equals "
            "{field, value}, metadata_in {field, values}, frequency_cap {maxDecisions, "
            "withinHours}, active_hours_only"
        ),
    )
    action: str = Field(max_length=64, description="An action type (send_message, ...)")
    channel: str = Field(default="sandbox", max_length=32)
    priority: int = Field(strict=True, ge=1, le=1000, description="1 is evaluated first")
    delayMs: int = Field(default=0, strict=True, ge=0)
    confidence: float = Field(strict=True, ge=0, le=1, allow_inf_nan=False)
    reason: str = Field(max_length=200)


class RuleSetReplace(_Request):
    """``PUT /api/sandbox/rules``: the sandbox's whole new rule set (at most 50 rules)."""

    rules: list[RuleView] = Field(max_length=50)


class DecisionFilter(ListingQuery):
    """Which of a user's decisions a listing returns: pending ones unless ``status`` says."""

    status: DecisionStatus = DecisionStatus.PENDING


class ActionFilter(ListingQuery):
    """Which of a user's actions a listing returns: pending ones unless ``status`` says."""

    status: ActionStatus = ActionStatus.PENDING


# ------------------------------------------------------------------ answers


class Rules(BaseModel):
    """The answer of ``GET /rules`` and ``PUT /rules``: rules in priority order."""

    totalRules: int
    rules: list[RuleView]
    source: str = Field(description="'default' until the sandbox replaces its rules, then 'custom'")
    version: int
    updatedAt: Timestamp | None = None


class RecordedSignal(BaseModel):
    """The signal as the answer of ``POST /signals`` shows it."""

    signalId: str
    userId: str
    type: str
    timestamp: Timestamp
    metadata: dict[str, Any] = Field(default_factory=dict)


class SignalRecorded(BaseModel):
    """The answer of ``POST /signals``."""

    status: Literal["ok"] = "ok"
    message: str
    signal: RecordedSignal
    eventId: str
    decisionsCreated: int
    decisionIds: list[str]


class TriggeredRule(BaseModel):
    """A rule that applied to an event, and the action it decided."""

    ruleId: str
    ruleName: str
    action: str
    decisionId: str
    confidence: float


class EventProcessed(BaseModel):
    """The answer of ``POST /events/process``."""

    eventId: str
    eventType: str
    normalizedEventType: str
    userId: str
    timestamp: Timestamp
    timezone: str
    localTime: str
    rulesTriggered: list[TriggeredRule]
    decisionsCreated: int


class EventTriggered(BaseModel):
    """The answer of ``POST /events``."""

    status: Literal["ok"] = "ok"
    eventId: str
    eventType: str
    normalizedEventType: str
    userId: str
    rulesTriggered: int
    decisionsCreated: int
    decisionIds: list[str]
    message: str


class UserDecisions(BaseModel):
    """The answer of ``GET /decisions/{userId}``."""

    userId: str
    status: DecisionStatus
    decisions: list[Decision]


class ExecutedDecision(BaseModel):
    """One decision orchestration executed, and the action it became."""

    decisionId: str
    type: str
    reason: str
    executedAt: Timestamp
    actionId: str
    actionStatus: ActionStatus
    scheduledAt: Timestamp
    delayReason: str | None = None


class Orchestration(BaseModel):
    """The answer of ``POST /orchestrate/{userId}`` (``remaining``: pending decisions left
    for a next call, at most ``MAX_ORCHESTRATED`` being executed per call)."""

    userId: str
    executed: int
    actions: list[ExecutedDecision]
    remaining: int
    message: str


class PendingAction(BaseModel):
    """An action as the actions listing shows it."""

    actionId: str
    actionType: str
    status: ActionStatus
    scheduledAt: Timestamp
    decisionId: str
    channel: str
    reason: str
    executedAt: Timestamp | None = None
    delayReason: str | None = None


class UserActions(BaseModel):
    """The answer of ``GET /users/{userId}/actions``."""

    userId: str
    actionCount: int
    actions: list[PendingAction]
    message: str


class ExecutedAction(BaseModel):
    """An action executed now."""

    actionId: str
    actionType: str
    executedAt: Timestamp
    status: ActionStatus


class DelayedAction(BaseModel):
    """An action not yet due (or outside the user's hours): when, and how long to wait."""

    actionId: str
    actionType: str
    scheduledAt: Timestamp
    waitTime: int
    delayReason: str | None = None


class ExecutedAndDelayed(BaseModel):
    """The two lists of an execution."""

    executed: list[ExecutedAction]
    delayed: list[DelayedAction]


class ActionExecution(BaseModel):
    """The answer of ``POST /users/{userId}/execute``."""

    userId: str
    executed: int
    delayed: int
    actions: ExecutedAndDelayed
    remaining: int
    message: str


def wait_ms(until: datetime, now: datetime) -> int:
    """Milliseconds from ``now`` to ``until`` (0 when past)."""
    return max(0, int((until - now).total_seconds() * 1000))
