"""Transfers against moto: balances move exactly, rules fail with reasons, retries are safe."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest


class Ledger:
    """A small driver of the ledger handler for one caller."""

    def __init__(self, invoke: Any, caller: dict[str, str]) -> None:
        self.invoke = invoke
        self.caller = caller

    def accounts(self, limit: int = 100) -> list[dict[str, Any]]:
        _, body, _ = self.invoke(
            "ledger", "ledger/list_accounts.json", caller=self.caller, query={"limit": str(limit)}
        )
        return body

    def account(self, ref: str) -> dict[str, Any]:
        status, body, _ = self.invoke(
            "ledger",
            "ledger/get_account.json",
            caller=self.caller,
            path_parameters={"account_id": ref},
        )
        assert status == 200, body
        return body

    def transfer(
        self, body: dict[str, Any], key: str | None = None
    ) -> tuple[int, Any, dict[str, str]]:
        return self.invoke(
            "ledger",
            "ledger/create_transfer.json",
            caller=self.caller,
            body=body,
            headers={"Idempotency-Key": key},
        )

    def pay(
        self, source: str, target: str, amount: Any, currency: str
    ) -> tuple[int, Any, dict[str, str]]:
        """Create a transfer of ``amount`` ``currency`` from ``source`` to ``target``."""
        return self.transfer(
            {
                "from_account_id": source,
                "to_account_id": target,
                "amount": amount,
                "currency": currency,
            }
        )

    def process(self, transfer_id: str) -> tuple[int, Any]:
        status, body, _ = self.invoke(
            "ledger",
            "ledger/process_transfer.json",
            caller=self.caller,
            path_parameters={"transfer_id": transfer_id},
        )
        return status, body

    def flag(self, flag_id: str, action: str = "get", **body: Any) -> tuple[int, Any]:
        event = {"get": "ledger/get_flag.json", "review": "ledger/review_flag.json"}.get(
            action, "ledger/resolve_flag.json"
        )
        status, answer, _ = self.invoke(
            "ledger",
            event,
            caller=self.caller,
            path_parameters={"flag_id": flag_id},
            body=body or None,
        )
        return status, answer


@pytest.fixture
def ledger(invoke, initialized_sandbox) -> Ledger:
    return Ledger(invoke, initialized_sandbox("sb-transfers", accounts=10, transactions=5))


def _pair(ledger: Ledger) -> tuple[dict[str, Any], dict[str, Any]]:
    first, second, *_ = ledger.accounts()
    return first, second


def test_processed_transfer_moves_balances_exactly(ledger):
    source, target = _pair(ledger)
    status, transfer, _ = ledger.pay(source["id"], target["id"], "1000.10", "USDC")
    assert status == 201 and transfer["status"] == "pending" and transfer["amount"] == "1000.10"
    status, processed = ledger.process(transfer["id"])
    assert status == 200 and processed["status"] == "completed" and processed["completed_at"]
    before_source = Decimal(source["balances"]["USDC"])
    before_target = Decimal(target["balances"]["USDC"])
    assert Decimal(ledger.account(source["id"])["balances"]["USDC"]) == before_source - Decimal(
        "1000.10"
    )
    assert Decimal(ledger.account(target["id"])["balances"]["USDC"]) == before_target + Decimal(
        "1000.10"
    )


def test_processing_twice_never_moves_money_twice(ledger):
    source, target = _pair(ledger)
    _, transfer, _ = ledger.pay(source["id"], target["id"], 5, "XLM")
    ledger.process(transfer["id"])
    status, again = ledger.process(transfer["id"])
    assert status == 200 and again["status"] == "completed"
    after = Decimal(ledger.account(source["id"])["balances"]["XLM"])
    assert after == Decimal(source["balances"]["XLM"]) - 5


def test_insufficient_balance_fails_with_a_reason_and_moves_nothing(ledger):
    source, _ = _pair(ledger)
    status, poor, _ = ledger.invoke(
        "ledger",
        "ledger/create_account.json",
        caller=ledger.caller,
        body={"country_code": "NG", "opening_balances": {"USDC": "10.00"}},
    )
    assert status == 201
    _, transfer, _ = ledger.pay(poor["id"], source["id"], "10.01", "USDC")
    _, processed = ledger.process(transfer["id"])
    assert processed["status"] == "failed" and processed["failure_reason"] == "insufficient_balance"
    assert ledger.account(poor["id"])["balances"] == {"USDC": "10.00"}
    assert ledger.account(source["id"])["balances"] == source["balances"]


def test_inactive_destination_fails_the_transfer(invoke, initialized_sandbox):
    ledger = Ledger(invoke, initialized_sandbox("sb-inactive", accounts=60, transactions=0))
    accounts = ledger.accounts()
    inactive = next(a for a in accounts if not a["is_active"])
    _, transfer, _ = ledger.pay(accounts[0]["id"], inactive["id"], "1", "USDC")
    _, processed = ledger.process(transfer["id"])
    assert processed["failure_reason"] == "account_inactive"


def test_transfer_at_the_aml_threshold_raises_a_flag_and_waits_for_it(ledger):
    source, target = _pair(ledger)
    _, transfer, _ = ledger.pay(source["id"], target["id"], "10000", "USDC")
    flag_id = transfer["compliance_flag_id"]
    status, flag = ledger.flag(flag_id)
    assert status == 200 and flag["flag_type"] == "aml" and flag["status"] == "open"
    assert flag["transaction_id"] == transfer["id"]
    status, held = ledger.process(transfer["id"])
    assert status == 409 and held["code"] == "conflict"
    assert ledger.flag(flag_id, "review")[1]["status"] == "in_review"
    status, resolved = ledger.flag(flag_id, "resolve", resolution="approved")
    assert status == 200 and resolved["status"] == "resolved" and resolved["resolved_at"]
    assert ledger.process(transfer["id"])[1]["status"] == "completed"


def test_below_the_threshold_no_flag_is_raised(ledger):
    source, target = _pair(ledger)
    _, transfer, _ = ledger.pay(source["id"], target["id"], "9999.99", "USDC")
    assert transfer["compliance_flag_id"] is None


def test_rejected_flag_fails_the_transfer(ledger):
    source, target = _pair(ledger)
    _, transfer, _ = ledger.pay(source["id"], target["id"], "20000", "USDT")
    ledger.flag(transfer["compliance_flag_id"], "resolve", resolution="rejected")
    assert ledger.process(transfer["id"])[1]["failure_reason"] == "compliance_rejected"


def test_resolving_twice_is_409(ledger):
    source, target = _pair(ledger)
    _, transfer, _ = ledger.pay(source["id"], target["id"], "50000", "USDC")
    flag_id = transfer["compliance_flag_id"]
    assert ledger.flag(flag_id, "resolve", resolution="approved")[0] == 200
    status, body = ledger.flag(flag_id, "resolve", resolution="rejected")
    assert status == 409 and body["code"] == "conflict"
    assert ledger.flag(flag_id)[1]["resolution"] == "approved"
    assert ledger.flag(flag_id, "review")[0] == 409


@pytest.mark.parametrize(
    ("amount", "status", "reason", "flag_type"),
    [
        ("4000.02", "failed", "declined", None),
        ("4000.05", "pending", None, None),
        ("4000.13", "failed", "sanctions_hit", "sanctions"),
    ],
)
def test_test_values_force_their_outcome(ledger, amount, status, reason, flag_type):
    source, target = _pair(ledger)
    _, transfer, _ = ledger.pay(source["id"], target["id"], amount, "USDC")
    _, processed = ledger.process(transfer["id"])
    assert processed["status"] == status and processed["failure_reason"] == reason
    if flag_type:
        assert ledger.flag(transfer["compliance_flag_id"])[1]["flag_type"] == flag_type
        assert ledger.flag(transfer["compliance_flag_id"])[1]["severity"] == "critical"
    assert ledger.account(source["id"])["balances"] == source["balances"]


def test_test_values_are_listed(invoke, ledger):
    status, body, _ = invoke("ledger", "ledger/list_test_values.json", caller=ledger.caller)
    assert status == 200
    assert {v["amount"]: v["outcome"] for v in body} == {
        "4000.02": "decline",
        "4000.05": "pending_forever",
        "4000.13": "sanctions_hit",
    }


def test_idempotency_key_makes_a_retry_return_the_first_transfer(ledger):
    source, target = _pair(ledger)
    body = {
        "from_account_id": source["id"],
        "to_account_id": target["id"],
        "amount": "12.5",
        "currency": "USDC",
    }
    first_status, first, _ = ledger.transfer(body, key="retry-1")
    second_status, second, headers = ledger.transfer(body, key="retry-1")
    assert (first_status, second_status) == (201, 200)
    assert second == first and headers["idempotent-replayed"] == "true"
    status, conflict, _ = ledger.transfer({**body, "amount": "13"}, key="retry-1")
    assert status == 409 and conflict["code"] == "conflict"


def test_accounts_may_be_named_by_address(ledger):
    source, target = _pair(ledger)
    status, transfer, _ = ledger.pay(source["account_id"], target["account_id"], "1", "USDC")
    assert status == 201 and transfer["from_account_id"] == source["id"]


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "ten"},
        {"amount": "-1"},
        {"amount": "0"},
        {"amount": "1e400"},
        {"amount": "0.00000001"},
        {"amount": True},
        {"currency": "EUR"},
        {"currency": ""},
        {"to_account_id": None},
        {"extra": "field"},
    ],
)
def test_bad_transfer_bodies_are_400_and_create_nothing(invoke, ledger, change):
    source, target = _pair(ledger)
    body = {
        "from_account_id": source["id"],
        "to_account_id": target["id"],
        "amount": "1",
        "currency": "USDC",
        **change,
    }
    status, answer, _ = ledger.transfer(body)
    assert status == 400 and answer["code"] == "validation_error"
    _, listing, _ = invoke(
        "ledger", "ledger/list_transactions.json", caller=ledger.caller, query={}
    )
    assert len(listing) == 5


def test_self_transfer_is_400(ledger):
    source, _ = _pair(ledger)
    status, body, _ = ledger.pay(source["id"], source["account_id"], "1", "USDC")
    assert status == 400 and body["code"] == "validation_error"


def test_foreign_and_unknown_accounts_are_404(invoke, initialized_sandbox, ledger):
    other = Ledger(invoke, initialized_sandbox("sb-transfers-other", accounts=3, seed=3))
    foreign = other.accounts()[0]
    source, _ = _pair(ledger)
    for ref in (foreign["id"], "00000000-0000-4000-8000-000000000000", "GNOPE"):
        status, body, _ = ledger.pay(source["id"], ref, "1", "USDC")
        assert status == 404 and body["code"] == "not_found"


def test_another_sandboxs_transfer_cannot_be_processed(invoke, initialized_sandbox, ledger):
    source, target = _pair(ledger)
    _, transfer, _ = ledger.pay(source["id"], target["id"], "1", "USDC")
    intruder = Ledger(invoke, initialized_sandbox("sb-intruder", accounts=2))
    assert intruder.process(transfer["id"])[0] == 404
    assert ledger.process(transfer["id"])[1]["status"] == "completed"
