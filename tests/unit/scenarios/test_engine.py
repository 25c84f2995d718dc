from typing import Any

import pytest

from sandbox_common.errors import Conflict, NotFound
from sandbox_common.scenarios.engine import (
    ActionResult,
    PlaceholderError,
    resolve_placeholders,
    run_steps,
)
from sandbox_common.scenarios.models import RunStatus, Scenario


class FakeSandbox:
    def __init__(self, *account_ids: str) -> None:
        self.account_ids = account_ids

    def sandbox_account(self, n: int) -> str:
        if n > len(self.account_ids):
            raise NotFound(f"sandbox has {len(self.account_ids)} accounts, not {n}")
        return self.account_ids[n - 1]


SANDBOX = FakeSandbox("acc_1", "acc_2")


def scenario(*steps: dict[str, Any]) -> Scenario:
    numbered = [{"step": n, "parameters": {}, **step} for n, step in enumerate(steps, start=1)]
    return Scenario.model_validate(
        {
            "id": "test_flow",
            "name": "Test Flow",
            "description": "A scenario built in a test",
            "category": "tests",
            "steps": numbered,
        }
    )


def recording(outcome: str, result: dict[str, Any], calls: list[dict[str, Any]]):
    def action(parameters: dict[str, Any]) -> ActionResult:
        calls.append(parameters)
        return ActionResult(outcome=outcome, result=result)

    return action


# ---------------------------------------------------------------- placeholders


def test_a_whole_string_placeholder_keeps_the_referenced_type():
    results = {1: {"amount": 1000, "tags": ["a"], "ok": True}}
    assert resolve_placeholders("{{step_1.amount}}", results, SANDBOX) == 1000
    assert resolve_placeholders("{{step_1.tags}}", results, SANDBOX) == ["a"]
    assert resolve_placeholders("{{step_1.ok}}", results, SANDBOX) is True


def test_a_placeholder_inside_text_is_interpolated_as_a_string():
    results = {1: {"amount": 1000, "currency": "USDC"}}
    resolved = resolve_placeholders(
        "pay {{step_1.amount}} {{step_1.currency}} to {{sandbox_account_2}}", results, SANDBOX
    )
    assert resolved == "pay 1000 USDC to acc_2"


def test_placeholders_resolve_in_nested_dicts_and_lists_and_leave_other_values_alone():
    parameters = {
        "transfer": {"from": "{{sandbox_account_1}}", "to": ["{{sandbox_account_2}}", 7]},
        "amount": 5,
        "memo": None,
        "{{step_1.id}}": "keys are not templates",
    }
    resolved = resolve_placeholders(parameters, {1: {"id": "x"}}, SANDBOX)
    assert resolved == {
        "transfer": {"from": "acc_1", "to": ["acc_2", 7]},
        "amount": 5,
        "memo": None,
        "{{step_1.id}}": "keys are not templates",
    }
    assert parameters["transfer"]["from"] == "{{sandbox_account_1}}"


def test_a_dotted_path_reaches_into_nested_results():
    results = {1: {"transfer": {"id": "tx_9", "fees": {"network": 2}}}}
    assert resolve_placeholders("{{step_1.transfer.id}}", results, SANDBOX) == "tx_9"
    assert resolve_placeholders("{{step_1.transfer.fees.network}}", results, SANDBOX) == 2


def test_whitespace_inside_the_braces_is_tolerated():
    results = {1: {"account_id": "acc_9"}}
    assert resolve_placeholders("{{ step_1.account_id }}", results, SANDBOX) == "acc_9"
    assert resolve_placeholders("{{  sandbox_account_1\t}}", results, SANDBOX) == "acc_1"


def test_sandbox_accounts_come_from_the_context():
    assert resolve_placeholders("{{sandbox_account_1}}", {}, FakeSandbox("only")) == "only"


def test_a_missing_sandbox_account_names_the_placeholder_and_the_domain_error():
    with pytest.raises(PlaceholderError) as caught:
        resolve_placeholders("{{sandbox_account_3}}", {}, SANDBOX)
    assert str(caught.value) == (
        "{{sandbox_account_3}} has no value: not_found: sandbox has 2 accounts, not 3"
    )


@pytest.mark.parametrize(
    ("text", "results", "message"),
    [
        (
            "{{step_1.account_id}}",
            {1: {"id": "a"}},
            "{{step_1.account_id}} has no value: step 1 returned no field 'account_id'",
        ),
        (
            "{{step_1.transfer.id}}",
            {1: {"transfer": "tx_1"}},
            "{{step_1.transfer.id}} has no value: step 1 returned no field 'transfer.id'",
        ),
        ("{{step_2.id}}", {1: {"id": "a"}}, "{{step_2.id}} has no value: step 2 has not run yet"),
        ("{{account_1}}", {}, "unknown placeholder {{account_1}}"),
        ("{{sandbox_account_0}}", {}, "unknown placeholder {{sandbox_account_0}}"),
        ("{{step_1}}", {1: {}}, "unknown placeholder {{step_1}}"),
    ],
)
def test_a_placeholder_without_a_value_is_an_error(text, results, message):
    with pytest.raises(PlaceholderError) as caught:
        resolve_placeholders(text, results, SANDBOX)
    assert str(caught.value) == message


# ---------------------------------------------------------------- running steps


def test_every_step_runs_in_order_with_earlier_results_substituted():
    calls: list[dict[str, Any]] = []
    actions = {
        "create_transfer": recording("transfer_created", {"transfer_id": "tx_1"}, calls),
        "process_transfer": recording("transfer_processed", {"status": "done"}, calls),
    }
    flow = scenario(
        {
            "action": "create_transfer",
            "parameters": {"from": "{{sandbox_account_1}}", "to": "{{sandbox_account_2}}"},
            "expected_result": "transfer_created",
        },
        {
            "action": "process_transfer",
            "parameters": {"transfer_id": "{{step_1.transfer_id}}"},
            "expected_result": "transfer_processed",
        },
    )

    steps, status = run_steps(flow, actions, SANDBOX)

    assert status is RunStatus.COMPLETED
    assert calls == [{"from": "acc_1", "to": "acc_2"}, {"transfer_id": "tx_1"}]
    assert [s.model_dump() for s in steps] == [
        {
            "step": 1,
            "action": "create_transfer",
            "success": True,
            "result": {"transfer_id": "tx_1"},
            "error": None,
        },
        {
            "step": 2,
            "action": "process_transfer",
            "success": True,
            "result": {"status": "done"},
            "error": None,
        },
    ]


def test_a_missing_field_fails_the_step_without_calling_its_action_and_stops_the_run():
    calls: list[dict[str, Any]] = []
    actions = {
        "create_account": recording("account_created", {"id": "acc_9"}, calls),
        "verify_account": recording("account_verified", {}, calls),
        "never": recording("never", {}, calls),
    }
    flow = scenario(
        {"action": "create_account", "expected_result": "account_created"},
        {
            "action": "verify_account",
            "parameters": {"account_id": "{{step_1.account_id}}"},
            "expected_result": "account_verified",
        },
        {"action": "never", "expected_result": "never"},
    )

    steps, status = run_steps(flow, actions, SANDBOX)

    assert status is RunStatus.FAILED
    assert len(calls) == 1
    assert [s.step for s in steps] == [1, 2]
    assert steps[1].success is False
    assert steps[1].result is None
    assert steps[1].error == (
        "step 2: {{step_1.account_id}} has no value: step 1 returned no field 'account_id'"
    )


def test_a_missing_sandbox_account_fails_the_step():
    calls: list[dict[str, Any]] = []
    flow = scenario(
        {
            "action": "create_transfer",
            "parameters": {"to": "{{sandbox_account_2}}"},
            "expected_result": "transfer_created",
        }
    )

    steps, status = run_steps(
        flow, {"create_transfer": recording("transfer_created", {}, calls)}, FakeSandbox("one")
    )

    assert status is RunStatus.FAILED
    assert calls == []
    assert steps[0].error == (
        "step 1: {{sandbox_account_2}} has no value: not_found: sandbox has 1 accounts, not 2"
    )


def test_an_unknown_action_fails_the_step():
    flow = scenario({"action": "teleport_funds", "expected_result": "teleported"})

    steps, status = run_steps(flow, {}, SANDBOX)

    assert status is RunStatus.FAILED
    assert steps[0].success is False
    assert steps[0].result is None
    assert steps[0].error == "unknown action 'teleport_funds'"


def test_an_unexpected_outcome_fails_the_step_but_keeps_its_result():
    calls: list[dict[str, Any]] = []
    flow = scenario(
        {"action": "process_transfer", "expected_result": "transfer_processed"},
        {"action": "process_transfer", "expected_result": "transfer_processed"},
    )
    actions = {"process_transfer": recording("transfer_failed", {"reason": "funds"}, calls)}

    steps, status = run_steps(flow, actions, SANDBOX)

    assert status is RunStatus.FAILED
    assert len(steps) == 1
    assert len(calls) == 1
    assert steps[0].success is False
    assert steps[0].result == {"reason": "funds"}
    assert steps[0].error == "expected 'transfer_processed', got 'transfer_failed'"


def test_a_domain_error_from_an_action_fails_the_step_and_stops_the_run():
    calls: list[dict[str, Any]] = []

    def process_transfer(parameters: dict[str, Any]) -> ActionResult:
        raise Conflict("Transfer tx_1 is already completed")

    flow = scenario(
        {"action": "process_transfer", "expected_result": "transfer_processed"},
        {"action": "later", "expected_result": "done"},
    )
    actions = {"process_transfer": process_transfer, "later": recording("done", {}, calls)}

    steps, status = run_steps(flow, actions, SANDBOX)

    assert status is RunStatus.FAILED
    assert calls == []
    assert len(steps) == 1
    assert steps[0].result is None
    assert steps[0].error == "conflict: Transfer tx_1 is already completed"


def test_any_other_exception_from_an_action_propagates():
    def broken(parameters: dict[str, Any]) -> ActionResult:
        raise KeyError("bug")

    flow = scenario({"action": "broken", "expected_result": "ok"})

    with pytest.raises(KeyError):
        run_steps(flow, {"broken": broken}, SANDBOX)


def test_a_non_domain_exception_from_the_context_propagates():
    class BrokenSandbox:
        def sandbox_account(self, n: int) -> str:
            raise RuntimeError("database down")

    flow = scenario(
        {"action": "a", "parameters": {"x": "{{sandbox_account_1}}"}, "expected_result": "ok"}
    )

    with pytest.raises(RuntimeError):
        run_steps(flow, {}, BrokenSandbox())


def test_an_action_can_use_a_typed_value_from_an_earlier_step():
    calls: list[dict[str, Any]] = []
    flow = scenario(
        {"action": "generate", "parameters": {"count": 100}, "expected_result": "data_generated"},
        {
            "action": "metrics",
            "parameters": {"expect": "{{step_1.generated}}", "label": "{{step_1.generated}} tx"},
            "expected_result": "metrics_retrieved",
        },
    )
    actions = {
        "generate": recording("data_generated", {"generated": 100}, calls),
        "metrics": recording("metrics_retrieved", {}, calls),
    }

    _, status = run_steps(flow, actions, SANDBOX)

    assert status is RunStatus.COMPLETED
    assert calls[1] == {"expect": 100, "label": "100 tx"}
