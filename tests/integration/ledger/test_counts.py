"""Record counts move in the same write as the records, so status matches the listings."""

from __future__ import annotations

import pytest

from sandbox_common import providers
from sandbox_common.errors import Conflict
from sandbox_common.storage.sandbox_items import DataScope


def _counts(invoke, caller):
    _, body, _ = invoke("environment", "environment/status.json", caller=caller)
    return {name: body["counts"][name] for name in ("accounts", "transactions", "compliance_flags")}


def test_an_account_opened_before_any_initialize_is_counted(invoke, make_key, as_developer):
    caller = as_developer(make_key(sandbox_id="sb-count-fresh"))
    status, _, _ = invoke(
        "ledger", "ledger/create_account.json", caller=caller, body={"country_code": "NG"}
    )
    assert status == 201
    _, listing, _ = invoke("ledger", "ledger/list_accounts.json", caller=caller, query={})
    assert len(listing) == 1 == _counts(invoke, caller)["accounts"]


def test_transfers_and_their_flags_are_counted(invoke, initialized_sandbox):
    caller = initialized_sandbox(
        "sb-count-transfer", accounts=3, transactions=4, compliance_records=2
    )
    _, (source, target, _), _ = invoke(
        "ledger", "ledger/list_accounts.json", caller=caller, query={}
    )
    invoke(
        "ledger",
        "ledger/create_transfer.json",
        caller=caller,
        body={
            "from_account_id": source["id"],
            "to_account_id": target["id"],
            "amount": "20000",
            "currency": "USDC",
        },
        headers={"Idempotency-Key": None},
    )
    assert _counts(invoke, caller) == {"accounts": 3, "transactions": 5, "compliance_flags": 3}


def test_a_write_that_raced_a_reset_is_refused_whole(invoke, initialized_sandbox):
    caller = initialized_sandbox("sb-count-race", accounts=3, transactions=0, compliance_records=0)
    before = providers.sandboxes_repository().get("sb-count-race")
    stale = DataScope("sb-count-race", before.data_generation)
    account = providers.accounts_repository().get(
        stale, providers.accounts_repository().nth(stale, 1).id
    )
    invoke("environment", "environment/reset.json", caller=caller, body={})
    fresh = account.model_copy(
        update={"id": "00000000-0000-4000-8000-00000000abcd", "account_id": "0.0.99999"}
    )
    with pytest.raises(Conflict):
        providers.accounts_repository().add(stale, fresh, expires_at=2_000_000_000)
    assert providers.accounts_repository().get(stale, fresh.id) is None
    assert _counts(invoke, caller) == {"accounts": 0, "transactions": 0, "compliance_flags": 0}
