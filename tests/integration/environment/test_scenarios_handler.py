"""Scenarios against moto: the four seed scenarios run for real and runs are stored."""

from __future__ import annotations

import pytest

SCENARIOS = (
    "account_creation_flow",
    "transfer_processing_flow",
    "compliance_flagging_flow",
    "analytics_dashboard_flow",
)


def test_the_four_seed_scenarios_are_listed(invoke, make_key, as_developer):
    caller = as_developer(make_key(sandbox_id="sb-scn-list"))
    status, body, _ = invoke("environment", "environment/list_scenarios.json", caller=caller)
    assert status == 200 and {s["id"] for s in body} == set(SCENARIOS)


def test_a_scenario_shows_its_steps(invoke, make_key, as_developer):
    caller = as_developer(make_key(sandbox_id="sb-scn-get"))
    status, body, _ = invoke(
        "environment",
        "environment/get_scenario.json",
        caller=caller,
        path_parameters={"scenario_id": "transfer_processing_flow"},
    )
    assert status == 200
    assert [s["action"] for s in body["steps"]] == ["create_transfer", "process_transfer"]
    assert body["steps"][0]["parameters"]["from_account_id"] == "{{sandbox_account_1}}"


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_every_seed_scenario_completes_on_an_initialized_sandbox(
    invoke, initialized_sandbox, scenario_id
):
    caller = initialized_sandbox(f"sb-scn-{scenario_id[:12]}", accounts=10, transactions=20)
    status, run, _ = invoke(
        "environment",
        "environment/run_scenario.json",
        caller=caller,
        path_parameters={"scenario_id": scenario_id},
    )
    assert status == 200, run
    assert run["status"] == "completed", run["steps"]
    assert all(step["success"] for step in run["steps"]) and len(run["steps"]) == 2
    status, stored, _ = invoke(
        "environment",
        "environment/get_scenario_run.json",
        caller=caller,
        path_parameters={"run_id": run["run_id"]},
    )
    assert status == 200 and stored == run


def test_transfer_scenario_really_moves_money(invoke, initialized_sandbox):
    caller = initialized_sandbox("sb-scn-money", accounts=5, transactions=0)
    _, run, _ = invoke(
        "environment",
        "environment/run_scenario.json",
        caller=caller,
        path_parameters={"scenario_id": "transfer_processing_flow"},
    )
    transfer_id = run["steps"][0]["result"]["transfer_id"]
    status, transfer, _ = invoke(
        "ledger",
        "ledger/get_transfer.json",
        caller=caller,
        path_parameters={"transfer_id": transfer_id},
    )
    assert status == 200 and transfer["status"] == "completed" and transfer["amount"] == "1000"


def test_scenario_on_an_empty_sandbox_fails_with_the_steps_error(invoke, make_key, as_developer):
    caller = as_developer(make_key(sandbox_id="sb-scn-empty"))
    status, run, _ = invoke(
        "environment",
        "environment/run_scenario.json",
        caller=caller,
        path_parameters={"scenario_id": "transfer_processing_flow"},
    )
    assert status == 200 and run["status"] == "failed"
    assert len(run["steps"]) == 1 and run["steps"][0]["success"] is False
    assert "initialize" in run["steps"][0]["error"]


def test_unknown_scenario_and_foreign_run_are_404(invoke, initialized_sandbox):
    mine = initialized_sandbox("sb-scn-404-a", accounts=3)
    theirs = initialized_sandbox("sb-scn-404-b", accounts=3)
    status, _, _ = invoke(
        "environment",
        "environment/run_scenario.json",
        caller=mine,
        path_parameters={"scenario_id": "no_such_flow"},
    )
    assert status == 404
    _, run, _ = invoke(
        "environment",
        "environment/run_scenario.json",
        caller=theirs,
        path_parameters={"scenario_id": "account_creation_flow"},
    )
    status, body, _ = invoke(
        "environment",
        "environment/get_scenario_run.json",
        caller=mine,
        path_parameters={"run_id": run["run_id"]},
    )
    assert status == 404 and body["code"] == "not_found"
