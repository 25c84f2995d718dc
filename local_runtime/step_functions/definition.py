"""An Amazon States Language document, loaded into typed states or refused.

The local runtime runs what it loads exactly, so whatever it cannot run is refused here, when
the runtime starts, naming the state and the field: a state type it does not know (Map,
Parallel), a field it does not implement (TimeoutSeconds, HeartbeatSeconds, intrinsic
functions…), a path outside its JsonPath subset, a transition to a state that is not there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_pascal

from local_runtime.step_functions.choice import ChoiceRule, parse_choice_rule, parse_timestamp
from local_runtime.step_functions.paths import JsonPath, PathError, PayloadTemplate
from local_runtime.template import TemplateError

__all__ = [
    "Catcher",
    "ChoiceState",
    "DefinitionError",
    "FailState",
    "PassState",
    "Retrier",
    "State",
    "StateMachineDefinition",
    "SucceedState",
    "TaskState",
    "WaitState",
    "parse_definition",
]

ROOT = JsonPath.parse("$")
STATES_ALL = "States.ALL"


class DefinitionError(TemplateError):
    """A state machine definition the local runtime cannot run as written."""


def _to_path(value: Any) -> Any:
    return JsonPath.parse(value) if isinstance(value, str) else value


def _to_reference_path(value: Any) -> Any:
    path = _to_path(value)
    if isinstance(path, JsonPath) and path.context:
        raise PathError(f"{path.text}: the context object cannot be used here")
    return path


def _to_payload(value: Any) -> Any:
    if isinstance(value, PayloadTemplate):
        return value
    if not isinstance(value, dict):
        raise ValueError("must be an object")
    return PayloadTemplate.parse("", value)


Path = Annotated[JsonPath, BeforeValidator(_to_path)]
ReferencePath = Annotated[JsonPath, BeforeValidator(_to_reference_path)]
Payload = Annotated[PayloadTemplate, BeforeValidator(_to_payload)]
StrictInt = Annotated[int, Strict()]
Number = Annotated[float, Field(allow_inf_nan=False)]
StateName = Annotated[str, Field(min_length=1, max_length=80)]


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=to_pascal, arbitrary_types_allowed=True
    )


class Retrier(_Model):
    """One Retry entry: which errors, how often, how long between attempts."""

    error_equals: list[str] = Field(min_length=1)
    interval_seconds: StrictInt = Field(default=1, ge=1)
    max_attempts: StrictInt = Field(default=3, ge=0)
    backoff_rate: Number = Field(default=2.0, ge=1.0)
    max_delay_seconds: StrictInt | None = Field(default=None, ge=1)
    # FULL jitter would make waits random; the runtime plays NONE only, and says so.
    jitter_strategy: Literal["NONE"] = "NONE"
    comment: str | None = None

    def delay(self, attempt: int) -> float:
        """Seconds before retry number ``attempt`` (0 for the first retry)."""
        seconds = self.interval_seconds * self.backoff_rate**attempt
        return min(seconds, self.max_delay_seconds) if self.max_delay_seconds else seconds


class Catcher(_Model):
    """One Catch entry: which errors, where to go, where the error output goes."""

    error_equals: list[str] = Field(min_length=1)
    next: StateName
    result_path: ReferencePath | None = ROOT
    comment: str | None = None


class _State(_Model):
    type: str
    comment: str | None = None


class _Filtered(_State):
    input_path: Path | None = ROOT
    output_path: ReferencePath | None = ROOT


class _Transitions(_Filtered):
    next: StateName | None = None
    end: Literal[True] | None = None

    @model_validator(mode="after")
    def _one_way_out(self) -> _Transitions:
        if (self.next is None) == (self.end is None):
            raise ValueError("a state has either Next or End: true")
        return self


class PassState(_Transitions):
    """Pass: its input, a fixed Result, or Parameters, placed at ResultPath."""

    type: Literal["Pass"]
    result: Any = None
    parameters: Payload | None = None
    result_path: ReferencePath | None = ROOT

    @property
    def has_result(self) -> bool:
        """Whether the state gives a fixed Result (which may be null)."""
        return "result" in self.model_fields_set


class TaskState(_Transitions):
    """Task: calls a function of the template by its ARN."""

    type: Literal["Task"]
    resource: str = Field(min_length=1)
    parameters: Payload | None = None
    result_selector: Payload | None = None
    result_path: ReferencePath | None = ROOT
    retry: list[Retrier] = Field(default_factory=list)
    catch: list[Catcher] = Field(default_factory=list)

    @field_validator("retry", "catch")
    @classmethod
    def _all_alone_and_last(cls, entries: list[Any]) -> list[Any]:
        for position, entry in enumerate(entries):
            if STATES_ALL in entry.error_equals and (
                len(entry.error_equals) > 1 or position < len(entries) - 1
            ):
                raise ValueError(f"{STATES_ALL} must be alone in the last entry")
        return entries


def _to_rules(value: Any) -> Any:
    if not isinstance(value, list) or not value:
        raise ValueError("Choices must be a non-empty list")
    return [
        parse_choice_rule(f"Choices[{index}]", rule, top_level=True)
        for index, rule in enumerate(value)
    ]


class ChoiceState(_Filtered):
    """Choice: the first rule that holds picks the next state, else Default."""

    type: Literal["Choice"]
    choices: Annotated[list[ChoiceRule], BeforeValidator(_to_rules)]
    default: StateName | None = None


class WaitState(_Transitions):
    """Wait: a number of seconds, or until a timestamp, given inline or by a path."""

    type: Literal["Wait"]
    seconds: StrictInt | None = Field(default=None, ge=0)
    timestamp: str | None = None
    seconds_path: ReferencePath | None = None
    timestamp_path: ReferencePath | None = None

    @model_validator(mode="after")
    def _one_duration(self) -> WaitState:
        given = [
            f
            for f in ("seconds", "timestamp", "seconds_path", "timestamp_path")
            if f in self.model_fields_set
        ]
        if len(given) != 1:
            raise ValueError(
                "a Wait has exactly one of Seconds, Timestamp, SecondsPath, TimestampPath"
            )
        if self.timestamp is not None and parse_timestamp(self.timestamp) is None:
            raise ValueError(f"Timestamp {self.timestamp!r} is not an RFC 3339 timestamp")
        return self


class SucceedState(_Filtered):
    """Succeed: the execution ends with this state's output."""

    type: Literal["Succeed"]


class FailState(_State):
    """Fail: the execution fails with an error and a cause."""

    type: Literal["Fail"]
    error: str | None = None
    cause: str | None = None
    error_path: ReferencePath | None = None
    cause_path: ReferencePath | None = None


State = PassState | TaskState | ChoiceState | WaitState | SucceedState | FailState
STATE_TYPES: dict[str, type[_State]] = {
    "Pass": PassState,
    "Task": TaskState,
    "Choice": ChoiceState,
    "Wait": WaitState,
    "Succeed": SucceedState,
    "Fail": FailState,
}
TOP_LEVEL_FIELDS = frozenset({"StartAt", "States", "Comment", "Version", "QueryLanguage"})


@dataclass(frozen=True)
class StateMachineDefinition:
    """A loaded definition: where it starts and its states by name."""

    start_at: str
    states: Mapping[str, State]
    comment: str | None = None

    def task_resources(self) -> dict[str, str]:
        """Each Task state's Resource, by state name."""
        return {
            name: state.resource
            for name, state in self.states.items()
            if isinstance(state, TaskState)
        }


def _field_name(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _state_error(where: str, name: str, exc: ValidationError) -> DefinitionError:
    problems = []
    for error in exc.errors():
        field = _field_name(tuple(error["loc"]))
        if error["type"] == "extra_forbidden":
            problems.append(f"field {field!r} is not supported by the local runtime")
        elif field:
            problems.append(f"field {field!r}: {error['msg'].removeprefix('Value error, ')}")
        else:
            problems.append(error["msg"].removeprefix("Value error, "))
    return DefinitionError(f"{where}: state {name!r}: " + "; ".join(problems))


def _targets(state: State) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(state, _Transitions) and state.next is not None:
        found.append(("Next", state.next))
    if isinstance(state, TaskState):
        found += [(f"Catch[{i}].Next", c.next) for i, c in enumerate(state.catch)]
    if isinstance(state, ChoiceState):
        found += [(f"Choices[{i}].Next", str(rule.next)) for i, rule in enumerate(state.choices)]
        if state.default is not None:
            found.append(("Default", state.default))
    return found


def parse_definition(document: Any, where: str = "state machine") -> StateMachineDefinition:
    """Load an ASL document; DefinitionError (naming ``where``, the state and the field) if not."""
    if not isinstance(document, Mapping):
        raise DefinitionError(f"{where}: a definition is a JSON object")
    unknown = sorted(set(document) - TOP_LEVEL_FIELDS)
    if unknown:
        raise DefinitionError(
            f"{where}: top-level field {unknown[0]!r} is not supported by the local runtime"
        )
    if document.get("QueryLanguage", "JSONPath") != "JSONPath":
        raise DefinitionError(f"{where}: only the JSONPath query language is supported")
    raw_states = document.get("States")
    if not isinstance(raw_states, Mapping) or not raw_states:
        raise DefinitionError(f"{where}: States must be a non-empty object")
    states: dict[str, State] = {}
    for name, raw in raw_states.items():
        kind = raw.get("Type") if isinstance(raw, Mapping) else None
        model = STATE_TYPES.get(kind) if isinstance(kind, str) else None
        if model is None:
            raise DefinitionError(
                f"{where}: state {name!r}: Type {kind!r} is not supported by the local runtime "
                f"(it runs {', '.join(STATE_TYPES)})"
            )
        try:
            states[name] = model.model_validate(raw)  # type: ignore[assignment]
        except ValidationError as exc:
            raise _state_error(where, name, exc) from None
    start_at = document.get("StartAt")
    if start_at not in states:
        raise DefinitionError(f"{where}: StartAt {start_at!r} is not a state")
    for name, state in states.items():
        for field, target in _targets(state):
            if target not in states:
                raise DefinitionError(f"{where}: state {name!r}: {field} {target!r} is not a state")
    return StateMachineDefinition(str(start_at), states, document.get("Comment"))
