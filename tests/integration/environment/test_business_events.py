"""Initialize, reset and scenario runs are counted in the project's counters, once each, only
when the sandbox's data or a stored run really changed."""

from __future__ import annotations

import pytest

from sandbox_common.errors import Conflict
from sandbox_common.platform_usage.counters import BusinessEvent
from sandbox_common.storage.sandboxes_repository import SandboxesRepository
from tests.integration.project_counters import counted

INITIALIZED = BusinessEvent.SANDBOXES_INITIALIZED
RESET = BusinessEvent.SANDBOXES_RESET


def reset(invoke, caller, **body):
    status, answer, _ = invoke("environment", "environment/reset.json", caller=caller, body=body)
    assert status == 200, answer
    return answer


def test_an_initialize_counts_one_initialized_sandbox(initialized_sandbox):
    initialized_sandbox("sb-biz-init-1", accounts=3)
    initialized_sandbox("sb-biz-init-2", accounts=3)

    assert counted(INITIALIZED) == 2
    assert counted(RESET) == 0


def test_a_reset_counts_one_reset_and_a_reinitializing_one_an_initialize_too(
    invoke, initialized_sandbox
):
    caller = initialized_sandbox("sb-biz-reset", accounts=3)

    reset(invoke, caller)
    assert (counted(RESET), counted(INITIALIZED)) == (1, 1)

    reset(invoke, caller, seed=5)
    assert (counted(RESET), counted(INITIALIZED)) == (2, 2)


def test_an_initialize_that_loses_to_a_concurrent_one_counts_nothing(
    invoke, make_key, as_developer, monkeypatch
):
    caller = as_developer(make_key(sandbox_id="sb-biz-lost"))

    def concurrent_switch(self, *args, **kwargs):
        raise Conflict("the sandbox changed meanwhile")

    monkeypatch.setattr(SandboxesRepository, "switch_generation", concurrent_switch)
    status, _, _ = invoke(
        "environment", "environment/initialize.json", caller=caller, body={"seed": 1}
    )
    refused, _, _ = invoke("environment", "environment/reset.json", caller=caller, body={})

    assert (status, refused) == (409, 409)
    assert (counted(INITIALIZED), counted(RESET)) == (0, 0)


def test_a_read_only_key_initializes_nothing_and_counts_nothing(invoke, make_key, as_developer):
    caller = as_developer(make_key(sandbox_id="sb-biz-ro", permissions=["read"]))

    status, _, _ = invoke("environment", "environment/initialize.json", caller=caller, body={})

    assert status == 403 and counted(INITIALIZED) == 0


def run(invoke, caller, scenario_id):
    return invoke(
        "environment",
        "environment/run_scenario.json",
        caller=caller,
        path_parameters={"scenario_id": scenario_id},
    )


@pytest.mark.parametrize("times", [1, 3])
def test_each_stored_run_counts_as_passed_under_its_scenario(invoke, initialized_sandbox, times):
    caller = initialized_sandbox(f"sb-biz-scn-{times}", accounts=5, transactions=5)

    for _ in range(times):
        status, answer, _ = run(invoke, caller, "account_creation_flow")
        assert status == 200 and answer["status"] == "completed", answer

    assert counted(BusinessEvent.SCENARIO_RUNS, "account_creation_flow", "passed") == times
    assert counted(BusinessEvent.SCENARIO_RUNS, "account_creation_flow", "failed") == 0


def test_a_failed_run_counts_as_failed_and_an_unknown_scenario_counts_nothing(
    invoke, make_key, as_developer
):
    caller = as_developer(make_key(sandbox_id="sb-biz-scn-empty"))

    status, answer, _ = run(invoke, caller, "transfer_processing_flow")
    unknown, _, _ = run(invoke, caller, "no_such_flow")

    assert (status, answer["status"], unknown) == (200, "failed", 404)
    assert counted(BusinessEvent.SCENARIO_RUNS, "transfer_processing_flow", "failed") == 1
    assert counted(BusinessEvent.SCENARIO_RUNS, "transfer_processing_flow", "passed") == 0
    assert counted(BusinessEvent.SCENARIO_RUNS, "no_such_flow", "failed") == 0
