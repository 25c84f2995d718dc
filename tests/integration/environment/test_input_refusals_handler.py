"""Initialize, reset and config against moto: bad input is a 400 in the envelope and
changes nothing; absent bodies mean defaults; nothing the client sends can make a 500."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox_common import providers
from sandbox_common.sandboxes.config import SandboxConfig

INITIALIZE = "environment/initialize.json"
RESET = "environment/reset.json"
PUT_CONFIG = "environment/put_config.json"
GET_CONFIG = "environment/get_config.json"


def _stored(sandbox_id: str) -> dict[str, Any]:
    """The sandbox record as stored (generation, counts, seed, config...)."""
    sandbox = providers.sandboxes_repository().get(sandbox_id)
    assert sandbox is not None
    return sandbox.model_dump()


def _refused(status: int, body: Any) -> None:
    assert status == 400, body
    assert body["success"] is False and body["code"] == "validation_error"
    assert body["requestId"]


@pytest.mark.parametrize(
    "request_body",
    [
        {"accounts": 1},  # once a 500: the generator needs two accounts for a transaction
        {"accounts": 1, "transactions": 0},
        {"anchor": "0001-01-01T00:00:00Z"},  # once a 500: dates before it overflowed
        {"anchor": "0001-01-01T00:00:00+14:00"},
        {"anchor": "9999-12-31T23:59:59-14:00"},
        {"anchor": 1_700_000_000},
        {"seed": False},  # once seed 0
        {"accounts": True},
        {"seed": 1e400},
        {"seed": 10**100},
        {"locale": "x" * 10_000},
    ],
)
def test_initialize_refuses_bad_input_and_changes_nothing(
    invoke, initialized_sandbox, request_body
):
    caller = initialized_sandbox("sb-refuse-init", accounts=10)
    before = _stored("sb-refuse-init")
    status, body, _ = invoke("environment", INITIALIZE, caller=caller, body=request_body)
    _refused(status, body)
    assert _stored("sb-refuse-init") == before


@pytest.mark.parametrize("raw", ["null", "[]", '"x"', "{", '{"seed": NaN}'])
def test_initialize_refuses_a_body_that_is_not_a_json_object(invoke, initialized_sandbox, raw):
    caller = initialized_sandbox("sb-refuse-raw", accounts=10)
    before = _stored("sb-refuse-raw")
    status, body, _ = invoke("environment", INITIALIZE, caller=caller, body=raw)
    _refused(status, body)
    assert _stored("sb-refuse-raw") == before


def test_initialize_without_a_body_uses_every_default(invoke, make_key, as_developer):
    caller = as_developer(make_key(sandbox_id="sb-init-nobody"))
    status, body, _ = invoke("environment", INITIALIZE, caller=caller, body="")
    assert status == 200, body
    assert body["mock_data"] == {"accounts": 100, "transactions": 500, "compliance_records": 50}
    assert _stored("sb-init-nobody")["record_counts"]["account"] == 100


def test_reset_without_a_body_wipes(invoke, initialized_sandbox):
    caller = initialized_sandbox("sb-reset-nobody", accounts=10)
    status, body, _ = invoke("environment", RESET, caller=caller, body="")
    assert status == 200 and body["reinitialized"] is None
    assert _stored("sb-reset-nobody")["record_counts"] == {}


@pytest.mark.parametrize("request_body", [{"seed": False}, {"seed": True}, {"seed": -1}, "null"])
def test_reset_refuses_bad_input_and_wipes_nothing(invoke, initialized_sandbox, request_body):
    caller = initialized_sandbox("sb-refuse-reset", accounts=10)
    before = _stored("sb-refuse-reset")
    status, body, _ = invoke("environment", RESET, caller=caller, body=request_body)
    _refused(status, body)
    assert _stored("sb-refuse-reset") == before


@pytest.mark.parametrize(
    "config",
    [
        {"default_accounts": 1},  # was accepted, then every initialize and reseed was a 500
        {"default_seed": True},
        {"default_transactions": False},
        {"default_active_hours": {"start": 3600, "end": "17:00"}},
    ],
)
def test_config_refuses_settings_initialize_could_not_use(invoke, make_key, as_developer, config):
    caller = as_developer(make_key(sandbox_id="sb-refuse-config"))
    status, _, _ = invoke("environment", PUT_CONFIG, caller=caller, body={"default_seed": 5})
    assert status == 200
    before = _stored("sb-refuse-config")
    status, body, _ = invoke("environment", PUT_CONFIG, caller=caller, body=config)
    _refused(status, body)
    assert _stored("sb-refuse-config") == before


def test_put_config_without_a_body_restores_the_defaults(invoke, make_key, as_developer):
    caller = as_developer(make_key(sandbox_id="sb-config-nobody"))
    invoke("environment", PUT_CONFIG, caller=caller, body={"default_accounts": 20})
    status, body, _ = invoke("environment", PUT_CONFIG, caller=caller, body="")
    assert status == 200 and body == SandboxConfig().model_dump(mode="json")
    _, stored, _ = invoke("environment", GET_CONFIG, caller=caller)
    assert stored["default_accounts"] == 100


def test_a_config_stored_before_the_account_bound_no_longer_breaks_anything(
    invoke, make_key, as_developer
):
    # Given a sandbox whose config kept one default account (accepted before the bound)
    caller = as_developer(make_key(sandbox_id="sb-legacy-config"))
    legacy = SandboxConfig.model_construct(default_accounts=1, default_transactions=500)
    providers.sandboxes_repository().set_config("sb-legacy-config", legacy)
    assert _stored("sb-legacy-config")["config"]["default_accounts"] == 1

    # Then initialize, a reseeding reset and the config read all work, with the default size
    status, body, _ = invoke("environment", INITIALIZE, caller=caller, body={})
    assert status == 200, body
    assert body["mock_data"]["accounts"] == 100
    status, body, _ = invoke("environment", RESET, caller=caller, body={"seed": 3})
    assert status == 200 and body["reinitialized"]["mock_data"]["accounts"] == 100
    status, body, _ = invoke("environment", GET_CONFIG, caller=caller)
    assert status == 200 and body["default_accounts"] == 100


def test_the_smallest_data_set_initializes(invoke, make_key, as_developer):
    caller = as_developer(make_key(sandbox_id="sb-smallest"))
    request = {"accounts": 2, "seed": 1, "anchor": "2000-01-01T00:00:00Z"}
    status, body, _ = invoke("environment", INITIALIZE, caller=caller, body=request)
    assert status == 200, body
    assert body["mock_data"] == {"accounts": 2, "transactions": 500, "compliance_records": 50}


def test_a_trailing_slash_is_served_not_redirected(
    stack, make_key, as_developer, lambda_function, sample_event, lambda_context
):
    # A 307 would point at the path without the stage: a dead link behind API Gateway.
    caller = as_developer(make_key(sandbox_id="sb-slash"))
    event = sample_event("environment/status.json")
    event["path"] = "/api/v1/sandbox/status/"
    event["requestContext"]["authorizer"] = {**caller, "principalId": caller["key_id"]}
    response = lambda_function("environment").handler(event, lambda_context)
    assert response["statusCode"] == 200, response
    assert "location" not in {name.lower() for name in response.get("headers") or {}}


def test_scenarios_on_the_smallest_data_set_answer_without_a_server_error(
    invoke, initialized_sandbox
):
    # Two accounts is now the least a data set holds; scenarios naming a fifth account must
    # report a failed step (or a 4xx), not crash.
    caller = initialized_sandbox("sb-smallest-scenarios", accounts=2, transactions=0)
    _, scenarios, _ = invoke("environment", "environment/list_scenarios.json", caller=caller)
    assert scenarios
    for scenario in scenarios:
        status, run, _ = invoke(
            "environment",
            "environment/run_scenario.json",
            caller=caller,
            path_parameters={"scenario_id": scenario["id"]},
        )
        assert status < 500, (scenario["id"], run)


@pytest.mark.parametrize(
    ("event", "name"),
    [
        ("environment/get_scenario.json", "scenario_id"),
        ("environment/run_scenario.json", "scenario_id"),
        ("environment/get_scenario_run.json", "run_id"),
    ],
)
def test_an_id_longer_than_any_issued_is_refused_before_storage(
    invoke, initialized_sandbox, event, name
):
    caller = initialized_sandbox("sb-long-scenario-id", accounts=5, transactions=0)
    before = _stored("sb-long-scenario-id")
    status, body, _ = invoke(
        "environment", event, caller=caller, path_parameters={name: "s" * 5000}
    )
    _refused(status, body)
    assert _stored("sb-long-scenario-id") == before
