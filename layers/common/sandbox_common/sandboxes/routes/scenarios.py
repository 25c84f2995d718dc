"""Routes of /api/v1/sandbox/scenarios: the test scenarios, run against the sandbox."""

from __future__ import annotations

from fastapi import APIRouter

from sandbox_common.http.auth import Caller
from sandbox_common.http.params import ResourceId
from sandbox_common.scenarios import service as scenarios
from sandbox_common.scenarios.models import Scenario, ScenarioRun, ScenarioSummary

router = APIRouter()

SCENARIOS = "/api/v1/sandbox/scenarios"


@router.get(SCENARIOS, response_model=list[ScenarioSummary])
def list_scenarios(caller: Caller) -> list[ScenarioSummary]:
    """The runnable test scenarios."""
    return scenarios.list_scenarios(caller)


@router.get(SCENARIOS + "/runs/{run_id}", response_model=ScenarioRun)
def get_run(run_id: ResourceId, caller: Caller) -> ScenarioRun:
    """A stored scenario run."""
    return scenarios.get_run(caller, run_id)


@router.get(SCENARIOS + "/{scenario_id}", response_model=Scenario)
def get_scenario(scenario_id: ResourceId, caller: Caller) -> Scenario:
    """One scenario and its steps."""
    return scenarios.get_scenario(caller, scenario_id)


@router.post(SCENARIOS + "/{scenario_id}/run", response_model=ScenarioRun)
def run_scenario(scenario_id: ResourceId, caller: Caller) -> ScenarioRun:
    """Run a scenario against the sandbox; the run is stored."""
    return scenarios.run_scenario(caller, scenario_id)
