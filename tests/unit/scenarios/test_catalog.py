import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from sandbox_common.errors import NotFound
from sandbox_common.scenarios.catalog import (
    CatalogError,
    get_scenario,
    list_scenarios,
    load_catalog,
)
from sandbox_common.scenarios.models import (
    RunStatus,
    Scenario,
    ScenarioRun,
    ScenarioSummary,
    StepResult,
)

SEED_STEPS = {
    "account_creation_flow": [
        ("create_account", "account_created"),
        ("verify_account", "account_verified"),
    ],
    "analytics_dashboard_flow": [
        ("generate_transaction_data", "data_generated"),
        ("get_dashboard_metrics", "metrics_retrieved"),
    ],
    "compliance_flagging_flow": [
        ("create_high_value_transaction", "compliance_flag_created"),
        ("resolve_compliance_flag", "flag_resolved"),
    ],
    "transfer_processing_flow": [
        ("create_transfer", "transfer_created"),
        ("process_transfer", "transfer_processed"),
    ],
}


def scenario_data(scenario_id: str = "custom_flow", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": scenario_id,
        "name": "Custom Flow",
        "description": "A scenario added as data",
        "category": "custom",
        "steps": [
            {"step": 1, "action": "create_account", "parameters": {}, "expected_result": "ok"},
            {
                "step": 2,
                "action": "verify_account",
                "parameters": {"account_id": "{{step_1.account_id}}"},
                "expected_result": "ok",
            },
        ],
    }
    data.update(overrides)
    return data


def write(directory: Path, name: str, data: dict[str, Any] | str) -> None:
    text = data if isinstance(data, str) else json.dumps(data)
    (directory / name).write_text(text, encoding="utf-8")


# ---------------------------------------------------------------- the packaged catalog


def test_the_catalog_holds_exactly_the_four_seed_scenarios_with_their_steps():
    catalog = load_catalog()
    assert sorted(catalog) == sorted(SEED_STEPS)
    for scenario_id, steps in SEED_STEPS.items():
        scenario = catalog[scenario_id]
        assert [(s.action, s.expected_result) for s in scenario.steps] == steps
        assert [s.step for s in scenario.steps] == [1, 2]


def test_seed_scenarios_keep_the_seed_names_categories_and_parameters():
    transfer = get_scenario("transfer_processing_flow")
    assert transfer.name == "Transfer Processing Flow"
    assert transfer.description == "Test transfer creation and processing"
    assert transfer.category == "transfers"
    assert transfer.steps[0].parameters == {
        "from_account_id": "{{sandbox_account_1}}",
        "to_account_id": "{{sandbox_account_2}}",
        "amount": 1000,
        "currency": "USDC",
    }
    assert transfer.steps[1].parameters == {"transfer_id": "{{step_1.transfer_id}}"}
    account = get_scenario("account_creation_flow")
    assert (account.category, account.steps[0].parameters) == (
        "account_management",
        {
            "network": "stellar",
            "environment": "sandbox",
            "account_type": "user",
            "country_code": "NG",
        },
    )
    compliance = get_scenario("compliance_flagging_flow")
    assert compliance.steps[1].parameters == {
        "flag_id": "{{step_1.flag_id}}",
        "resolution": "approved",
    }
    analytics = get_scenario("analytics_dashboard_flow")
    assert analytics.steps[0].parameters == {"count": 100, "time_range": "7d"}


def test_scenarios_are_listed_by_id():
    assert [s.id for s in list_scenarios()] == sorted(SEED_STEPS)


def test_an_unknown_scenario_is_not_found():
    with pytest.raises(NotFound) as caught:
        get_scenario("no_such_flow")
    assert caught.value.message == "Scenario no_such_flow not found"


def test_editing_a_loaded_catalog_does_not_change_the_next_load():
    catalog = load_catalog()
    catalog.clear()
    assert len(load_catalog()) == len(SEED_STEPS)


def test_a_summary_counts_the_steps():
    summary = ScenarioSummary.from_scenario(get_scenario("account_creation_flow"))
    assert summary.model_dump() == {
        "id": "account_creation_flow",
        "name": "Account Creation Flow",
        "description": "Test complete account creation workflow",
        "category": "account_management",
        "step_count": 2,
    }


# ---------------------------------------------------------------- a catalog directory


def test_a_new_json_file_is_a_new_scenario_without_code(tmp_path: Path):
    write(tmp_path, "custom_flow.json", scenario_data())
    write(tmp_path, "notes.txt", "not a scenario")

    catalog = load_catalog(tmp_path)

    assert list(catalog) == ["custom_flow"]
    assert [s.action for s in catalog["custom_flow"].steps] == ["create_account", "verify_account"]


def test_a_broken_file_fails_the_load_naming_the_file(tmp_path: Path):
    write(tmp_path, "custom_flow.json", scenario_data())
    write(tmp_path, "broken_flow.json", "{not json")

    with pytest.raises(CatalogError, match="broken_flow.json"):
        load_catalog(tmp_path)


def test_an_invalid_scenario_fails_the_load_naming_the_file(tmp_path: Path):
    write(tmp_path, "bad_flow.json", scenario_data("bad_flow", steps=[]))

    with pytest.raises(CatalogError, match="bad_flow.json"):
        load_catalog(tmp_path)


def test_a_file_must_be_named_after_its_scenario(tmp_path: Path):
    write(tmp_path, "copy_of_custom.json", scenario_data("custom_flow"))

    with pytest.raises(CatalogError, match="copy_of_custom.json.*must match the file name"):
        load_catalog(tmp_path)


def test_an_empty_catalog_directory_is_an_error(tmp_path: Path):
    with pytest.raises(CatalogError, match="no scenario file"):
        load_catalog(tmp_path)


# ---------------------------------------------------------------- the file format


@pytest.mark.parametrize(
    "action", ["create-account", "os.system", "__import__('os')", "", "create account", "1st"]
)
def test_an_action_must_be_a_plain_identifier(action: str):
    data = scenario_data()
    data["steps"][0]["action"] = action
    with pytest.raises(ValidationError):
        Scenario.model_validate(data)


@pytest.mark.parametrize("numbers", [[2, 1], [1, 3], [0, 1], [1, 1]])
def test_steps_must_be_numbered_one_to_n_in_order(numbers: list[int]):
    data = scenario_data()
    for step, number in zip(data["steps"], numbers, strict=True):
        step["step"] = number
    with pytest.raises(ValidationError):
        Scenario.model_validate(data)


@pytest.mark.parametrize(
    ("placeholder", "message"),
    [
        ("{{step_2.id}}", "refers to step 2, which does not run before it"),
        ("{{step_3.id}}", "refers to step 3"),
        ("{{account_1}}", "unknown placeholder {{account_1}}"),
        ("id-{{ step_1 }}", "unknown placeholder {{ step_1 }}"),
    ],
)
def test_placeholders_are_checked_when_the_scenario_loads(placeholder: str, message: str):
    data = scenario_data()
    data["steps"][1]["parameters"] = {"nested": [{"account_id": placeholder}]}
    with pytest.raises(ValidationError, match=message):
        Scenario.model_validate(data)


def test_unknown_fields_are_rejected_so_typos_surface():
    data = scenario_data()
    data["steps"][0]["expected"] = "ok"
    with pytest.raises(ValidationError, match="expected"):
        Scenario.model_validate(data)


def test_a_run_report_serialises_with_its_status_as_text():
    run = ScenarioRun(
        run_id="run_1",
        scenario_id="custom_flow",
        name="Custom Flow",
        description="A scenario added as data",
        execution_time=datetime(2026, 1, 1, tzinfo=UTC),
        steps=[StepResult(step=1, action="create_account", success=True, result={"id": "a"})],
        status=RunStatus.COMPLETED,
    )
    dumped = run.model_dump(mode="json")
    assert dumped["status"] == "completed"
    assert dumped["steps"][0]["result"] == {"id": "a"}
