"""Every id-bearing ledger endpoint answers 404 for another sandbox's resource."""

from __future__ import annotations

import pytest


@pytest.fixture
def foreign_ids(invoke, initialized_sandbox):
    """Ids of an account, a transaction and a flag that belong to another sandbox."""
    # Another seed: the same seed gives the same ids in every sandbox, by design.
    owner = initialized_sandbox(
        "sb-tenancy-owner", seed=7, accounts=3, transactions=3, compliance_records=3
    )
    _, (account, *_), _ = invoke("ledger", "ledger/list_accounts.json", caller=owner, query={})
    _, (transaction, *_), _ = invoke(
        "ledger", "ledger/list_transactions.json", caller=owner, query={}
    )
    _, (flag, *_), _ = invoke("ledger", "ledger/list_flags.json", caller=owner, query={})
    return {"account_id": account["id"], "transaction_id": transaction["id"], "flag_id": flag["id"]}


@pytest.mark.parametrize(
    ("event", "parameter", "body"),
    [
        ("ledger/get_account.json", "account_id", None),
        ("ledger/verify_account.json", "account_id", None),
        ("ledger/get_transaction.json", "transaction_id", None),
        ("ledger/get_transfer.json", "transaction_id", None),
        ("ledger/process_transfer.json", "transaction_id", None),
        ("ledger/get_flag.json", "flag_id", None),
        ("ledger/review_flag.json", "flag_id", None),
        ("ledger/resolve_flag.json", "flag_id", {"resolution": "approved"}),
    ],
)
def test_another_sandboxs_resource_is_404_and_unchanged(
    invoke, initialized_sandbox, foreign_ids, event, parameter, body
):
    intruder = initialized_sandbox("sb-tenancy-intruder", accounts=3)
    path_name = {
        "ledger/get_transfer.json": "transfer_id",
        "ledger/process_transfer.json": "transfer_id",
    }.get(event, parameter)
    status, answer, _ = invoke(
        "ledger",
        event,
        caller=intruder,
        path_parameters={path_name: foreign_ids[parameter]},
        body=body,
    )
    assert status == 404 and answer["code"] == "not_found", answer
