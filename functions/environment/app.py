"""Environment group: initialize, reset, status, config and scenarios."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body

from sandbox_common.http.app import create_app, make_handler
from sandbox_common.http.auth import Caller
from sandbox_common.http.params import ResourceId
from sandbox_common.sandboxes import config_service, data
from sandbox_common.sandboxes.config import SandboxConfig
from sandbox_common.sandboxes.status import SandboxStatus, sandbox_status
from sandbox_common.scenarios import service as scenarios
from sandbox_common.scenarios.models import Scenario, ScenarioRun, ScenarioSummary

app = create_app("environment", title="Sandbox environment")

BASE = "/api/v1/sandbox"


# Every field of these bodies is optional, so no body at all means every default (FastAPI
# hands each request a copy of these); an explicit JSON null is refused like any non-object.
NO_INITIALIZE_BODY = data.InitializeRequest()
NO_RESET_BODY = data.ResetRequest()
NO_CONFIG_BODY = SandboxConfig()


@app.post(BASE + "/initialize", response_model=data.InitializeResponse)
def initialize(
    caller: Caller, body: Annotated[data.InitializeRequest, Body()] = NO_INITIALIZE_BODY
) -> data.InitializeResponse:
    """Replace the sandbox's data with a generated, reproducible data set."""
    return data.initialize_sandbox(caller, body)


@app.post(BASE + "/reset", response_model=data.ResetResponse)
def reset(
    caller: Caller, body: Annotated[data.ResetRequest, Body()] = NO_RESET_BODY
) -> data.ResetResponse:
    """Wipe the sandbox's data at once (optionally re-initialize with a seed)."""
    return data.reset_sandbox(caller, body)


@app.get(BASE + "/status", response_model=SandboxStatus)
def get_status(caller: Caller) -> SandboxStatus:
    """The caller's sandbox: id, lifecycle state, data, counts, components, clock."""
    return sandbox_status(caller)


@app.get(BASE + "/config", response_model=SandboxConfig)
def get_config(caller: Caller) -> SandboxConfig:
    """The sandbox's settings."""
    return config_service.get_config(caller)


@app.put(BASE + "/config", response_model=SandboxConfig)
def put_config(
    caller: Caller, body: Annotated[SandboxConfig, Body()] = NO_CONFIG_BODY
) -> SandboxConfig:
    """Replace the sandbox's settings (omitted fields, or no body, take their defaults)."""
    return config_service.put_config(caller, body)


@app.get(BASE + "/scenarios", response_model=list[ScenarioSummary])
def list_scenarios(caller: Caller) -> list[ScenarioSummary]:
    """The runnable test scenarios."""
    return scenarios.list_scenarios(caller)


@app.get(BASE + "/scenarios/runs/{run_id}", response_model=ScenarioRun)
def get_run(run_id: ResourceId, caller: Caller) -> ScenarioRun:
    """A stored scenario run."""
    return scenarios.get_run(caller, run_id)


@app.get(BASE + "/scenarios/{scenario_id}", response_model=Scenario)
def get_scenario(scenario_id: ResourceId, caller: Caller) -> Scenario:
    """One scenario and its steps."""
    return scenarios.get_scenario(caller, scenario_id)


@app.post(BASE + "/scenarios/{scenario_id}/run", response_model=ScenarioRun)
def run_scenario(scenario_id: ResourceId, caller: Caller) -> ScenarioRun:
    """Run a scenario against the sandbox; the run is stored."""
    return scenarios.run_scenario(caller, scenario_id)


handler = make_handler(app, "environment")
