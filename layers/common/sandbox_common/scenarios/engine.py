"""The step runner: resolve each step's placeholders, call its action, compare the outcome.

Pure: the caller binds action names to callables (the ledger use cases) and supplies the
sandbox's accounts through a :class:`StepContext`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sandbox_common.errors import SandboxError
from sandbox_common.scenarios.models import (
    PLACEHOLDER,
    AccountRef,
    RunStatus,
    Scenario,
    ScenarioStep,
    StepResult,
    parse_placeholder,
)


@dataclass(frozen=True)
class ActionResult:
    """What an action did: ``outcome`` is compared with the step's ``expected_result``;
    ``result`` is what later steps can reference as ``{{step_N.field}}``."""

    outcome: str
    result: dict[str, Any]


Action = Callable[[dict[str, Any]], ActionResult]


class StepContext(Protocol):
    """What placeholders may ask of the sandbox a scenario runs in."""

    def sandbox_account(self, n: int) -> str:
        """Id of the sandbox's ``n``-th account (1-based); a SandboxError if there are fewer."""
        ...


class PlaceholderError(ValueError):
    """A placeholder has no value: unknown name, step not run yet, or missing field."""


def run_steps(
    scenario: Scenario, actions: Mapping[str, Action], context: StepContext
) -> tuple[list[StepResult], RunStatus]:
    """Run ``scenario``'s steps in order, stopping at the first that fails.

    A step fails if a placeholder has no value, its action is unknown, the action raises a
    :class:`SandboxError`, or its outcome is not the expected one. Any other exception is a
    bug and propagates. Steps after a failed one are neither run nor listed.
    """
    outputs: dict[int, dict[str, Any]] = {}
    steps: list[StepResult] = []
    for step in scenario.steps:
        result = _run_step(step, actions, context, outputs)
        steps.append(result)
        if not result.success:
            return steps, RunStatus.FAILED
        outputs[step.step] = result.result or {}
    return steps, RunStatus.COMPLETED


def resolve_placeholders(
    value: Any, results: Mapping[int, Mapping[str, Any]], context: StepContext
) -> Any:
    """``value`` with every placeholder in its strings (nested dicts and lists too) replaced.

    ``results`` maps a step number to what that step returned. A string that is exactly one
    placeholder becomes the referenced value itself (an int stays an int); a placeholder
    inside longer text is interpolated with ``str``. Dict keys are left alone. Raises
    :class:`PlaceholderError` for a placeholder without a value.
    """
    if isinstance(value, str):
        return _resolve_string(value, results, context)
    if isinstance(value, dict):
        return {key: resolve_placeholders(item, results, context) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve_placeholders(item, results, context) for item in value]
    return value


def _run_step(
    step: ScenarioStep,
    actions: Mapping[str, Action],
    context: StepContext,
    outputs: Mapping[int, Mapping[str, Any]],
) -> StepResult:
    def failed(error: str, result: dict[str, Any] | None = None) -> StepResult:
        return StepResult(
            step=step.step, action=step.action, success=False, result=result, error=error
        )

    try:
        parameters = resolve_placeholders(step.parameters, outputs, context)
    except PlaceholderError as exc:
        return failed(f"step {step.step}: {exc}")
    action = actions.get(step.action)
    if action is None:
        return failed(f"unknown action {step.action!r}")
    try:
        done = action(parameters)
    except SandboxError as exc:
        return failed(f"{exc.code}: {exc.message}")
    if done.outcome != step.expected_result:
        return failed(f"expected {step.expected_result!r}, got {done.outcome!r}", done.result)
    return StepResult(step=step.step, action=step.action, success=True, result=done.result)


def _resolve_string(
    text: str, results: Mapping[int, Mapping[str, Any]], context: StepContext
) -> Any:
    whole = PLACEHOLDER.fullmatch(text)
    if whole is not None:
        return _value_of(whole[0], whole["name"], results, context)
    return PLACEHOLDER.sub(
        lambda match: str(_value_of(match[0], match["name"], results, context)), text
    )


def _value_of(
    token: str, name: str, results: Mapping[int, Mapping[str, Any]], context: StepContext
) -> Any:
    ref = parse_placeholder(name)
    if ref is None:
        raise PlaceholderError(f"unknown placeholder {token}")
    if isinstance(ref, AccountRef):
        try:
            return context.sandbox_account(ref.n)
        except SandboxError as exc:
            raise PlaceholderError(f"{token} has no value: {exc.code}: {exc.message}") from exc
    if ref.step not in results:
        raise PlaceholderError(f"{token} has no value: step {ref.step} has not run yet")
    current: Any = results[ref.step]
    for depth, field in enumerate(ref.path, start=1):
        if not isinstance(current, Mapping) or field not in current:
            missing = ".".join(ref.path[:depth])
            raise PlaceholderError(
                f"{token} has no value: step {ref.step} returned no field {missing!r}"
            )
        current = current[field]
    return current
