"""Scenario use cases: list, show, run (stored) and fetch a stored run."""

from __future__ import annotations

import secrets

from sandbox_common import business_events, providers
from sandbox_common.auth import AuthContext, Permission
from sandbox_common.errors import NotFound
from sandbox_common.platform_usage.counters import BusinessEvent, ScenarioResult
from sandbox_common.sandboxes.data_scope import data_expiry, data_scope
from sandbox_common.scenarios import catalog
from sandbox_common.scenarios.engine import run_steps
from sandbox_common.scenarios.models import RunStatus, Scenario, ScenarioRun, ScenarioSummary


def list_scenarios(caller: AuthContext) -> list[ScenarioSummary]:
    """Every scenario of the catalog, summarised."""
    caller.require(Permission.READ)
    return [ScenarioSummary.from_scenario(s) for s in catalog.list_scenarios()]


def get_scenario(caller: AuthContext, scenario_id: str) -> Scenario:
    """One scenario with its steps; 404 if the catalog has none such."""
    caller.require(Permission.READ)
    return catalog.get_scenario(scenario_id)


def run_scenario(caller: AuthContext, scenario_id: str) -> ScenarioRun:
    """Run a scenario's steps against the caller's sandbox and store the run."""
    # The actions reach every ledger use case; importing them here spares the cold start
    # of the other environment routes.
    from sandbox_common.scenarios.actions import SandboxAccounts, scenario_actions

    caller.require(Permission.WRITE)
    scenario = catalog.get_scenario(scenario_id)
    _, scope = data_scope(caller)
    context = SandboxAccounts(scope)
    started = providers.clock().now()
    steps, status = run_steps(scenario, scenario_actions(caller, context), context)
    run = ScenarioRun(
        run_id="run_" + secrets.token_hex(8),
        scenario_id=scenario.id,
        name=scenario.name,
        description=scenario.description,
        execution_time=started,
        steps=steps,
        status=status,
    )
    providers.scenario_runs_repository().add(scope, run, expires_at=data_expiry())
    result = ScenarioResult.PASSED if status is RunStatus.COMPLETED else ScenarioResult.FAILED
    business_events.record(
        BusinessEvent.SCENARIO_RUNS, scenario.id, result, identity=scope.sandbox_id
    )
    return run


def get_run(caller: AuthContext, run_id: str) -> ScenarioRun:
    """A stored run of the caller's sandbox; 404 otherwise."""
    caller.require(Permission.READ)
    _, scope = data_scope(caller)
    run = providers.scenario_runs_repository().get(scope, run_id)
    if run is None:
        raise NotFound(f"Scenario run {run_id} not found")
    return run
