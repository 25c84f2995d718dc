"""Scenario models: the catalog file format, its placeholder grammar, and the run report."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

# Ids end up in URLs (``/scenarios/{id}/execute``) and in file names, so keep them plain.
ScenarioId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_]{0,63}$")]
# Action names are keys into the caller's action table, never anything to evaluate.
ActionName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

PLACEHOLDER = re.compile(r"\{\{\s*(?P<name>[^{}]*?)\s*\}\}")
_STEP_REF = re.compile(r"step_(?P<step>[1-9][0-9]*)\.(?P<path>\w+(?:\.\w+)*)", re.ASCII)
_ACCOUNT_REF = re.compile(r"sandbox_account_(?P<n>[1-9][0-9]*)")


@dataclass(frozen=True)
class StepRef:
    """``{{step_N.a.b}}``: field ``a.b`` of what step ``N`` returned."""

    step: int
    path: tuple[str, ...]


@dataclass(frozen=True)
class AccountRef:
    """``{{sandbox_account_N}}``: id of the sandbox's ``N``-th account (1-based)."""

    n: int


def parse_placeholder(name: str) -> StepRef | AccountRef | None:
    """What the text between ``{{`` and ``}}`` (already stripped) refers to; None if unknown."""
    if match := _STEP_REF.fullmatch(name):
        return StepRef(int(match["step"]), tuple(match["path"].split(".")))
    if match := _ACCOUNT_REF.fullmatch(name):
        return AccountRef(int(match["n"]))
    return None


def iter_placeholders(value: Any) -> Iterator[re.Match[str]]:
    """Every placeholder in the string values of ``value``, however deeply nested."""
    if isinstance(value, str):
        yield from PLACEHOLDER.finditer(value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from iter_placeholders(item)
    elif isinstance(value, list):
        for item in value:
            yield from iter_placeholders(item)


class ScenarioStep(BaseModel):
    """One step: call ``action`` with ``parameters`` and expect ``expected_result``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    step: int = Field(ge=1)
    action: ActionName
    parameters: dict[str, Any] = Field(default_factory=dict)
    expected_result: Text


class Scenario(BaseModel):
    """A catalog entry (one JSON file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: ScenarioId
    name: Text
    description: Text
    category: Text
    steps: list[ScenarioStep] = Field(min_length=1)

    @model_validator(mode="after")
    def _steps_are_numbered_and_refer_backwards(self) -> Self:
        # Checked at load so that a typo in a catalog file fails the deployment's tests, not a
        # developer's run in production.
        for position, step in enumerate(self.steps, start=1):
            if step.step != position:
                raise ValueError(
                    f"steps must be numbered 1..n in order: found {step.step} "
                    f"at position {position}"
                )
            for match in iter_placeholders(step.parameters):
                ref = parse_placeholder(match["name"])
                if ref is None:
                    raise ValueError(f"step {position}: unknown placeholder {match[0]}")
                if isinstance(ref, StepRef) and ref.step >= position:
                    raise ValueError(
                        f"step {position}: {match[0]} refers to step {ref.step}, "
                        "which does not run before it"
                    )
        return self


class ScenarioSummary(BaseModel):
    """A scenario as listed (``GET /scenarios``): everything but the steps themselves."""

    id: str
    name: str
    description: str
    category: str
    step_count: int

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> ScenarioSummary:
        """The listing entry of ``scenario``."""
        return cls(
            id=scenario.id,
            name=scenario.name,
            description=scenario.description,
            category=scenario.category,
            step_count=len(scenario.steps),
        )


class StepResult(BaseModel):
    """What one step did. ``result`` is None when the action was never called."""

    step: int
    action: str
    success: bool
    result: dict[str, Any] | None
    error: str | None = None


class RunStatus(StrEnum):
    """A run is completed only if every step succeeded."""

    COMPLETED = "completed"
    FAILED = "failed"


class ScenarioRun(BaseModel):
    """The report of one execution (steps and their results, plus ``run_id``)."""

    run_id: str
    scenario_id: str
    name: str
    description: str
    execution_time: datetime
    steps: list[StepResult]
    status: RunStatus
