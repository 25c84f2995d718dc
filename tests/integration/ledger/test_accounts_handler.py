"""Accounts endpoints against moto: listing, filters, cursors, tenancy, create, verify."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from sandbox_common.pagination import encode_cursor, listing_scope


def _list(invoke: Any, caller: dict[str, str], **query: str) -> tuple[int, Any, dict[str, str]]:
    return invoke("ledger", "ledger/list_accounts.json", caller=caller, query=query)


def test_accounts_list_is_a_json_list_with_the_seed_fields(invoke, initialized_sandbox):
    caller = initialized_sandbox("sb-acc-list")
    status, body, _ = _list(invoke, caller, limit="10")
    assert status == 200 and isinstance(body, list) and len(body) == 10
    seed_fields = {
        "id", "account_id", "network", "environment", "account_type", "country_code",
        "region", "metadata", "is_active", "created_at", "updated_at",
    }  # fmt: skip
    assert seed_fields <= set(body[0])
    assert body[0]["environment"] == "sandbox"


def test_cursor_pages_through_every_account_exactly_once(invoke, initialized_sandbox):
    caller = initialized_sandbox("sb-acc-pages", accounts=25)
    seen: list[str] = []
    cursor = None
    while True:
        query = {"limit": "10", **({"cursor": cursor} if cursor else {})}
        status, page, headers = _list(invoke, caller, **query)
        assert status == 200
        seen += [account["id"] for account in page]
        cursor = headers.get("x-next-cursor")
        if not cursor:
            break
    assert len(seen) == 25 and len(set(seen)) == 25


def test_filters_narrow_the_listing_and_keep_full_pages(invoke, initialized_sandbox):
    caller = initialized_sandbox("sb-acc-filter", accounts=200)
    _, page, headers = _list(invoke, caller, limit="5", country_code="ke", account_type="merchant")
    assert len(page) == 5 and headers.get("x-next-cursor")
    assert {(a["country_code"], a["account_type"]) for a in page} == {("KE", "merchant")}


def test_cursor_from_another_sandbox_is_refused(invoke, initialized_sandbox):
    mine = initialized_sandbox("sb-acc-cur-1", accounts=20)
    theirs = initialized_sandbox("sb-acc-cur-2", accounts=20)
    _, _, headers = _list(invoke, theirs, limit="5")
    status, body, _ = _list(invoke, mine, limit="5", cursor=headers["x-next-cursor"])
    assert status == 400 and body["code"] == "validation_error"


@pytest.mark.parametrize(
    "cursor",
    [
        "not-base64-!!",
        base64.urlsafe_b64encode(b'{"s":"sb-acc-tamper:account","k":{"pk":"x"}}').decode(),
        base64.urlsafe_b64encode(b'{"s":"sb-acc-tamper:account","k":{"sk":1,"ts":2}}').decode(),
    ],
)
def test_tampered_cursor_is_400_in_the_envelope(invoke, initialized_sandbox, cursor):
    caller = initialized_sandbox("sb-acc-tamper", accounts=5)
    status, body, _ = _list(invoke, caller, cursor=cursor)
    assert status == 400 and body["success"] is False and body["code"] == "validation_error"


def test_edited_cursor_cannot_reach_another_partition(invoke, initialized_sandbox):
    mine = initialized_sandbox("sb-acc-edit", accounts=5)
    initialized_sandbox("sb-acc-other", accounts=5)
    # Well-formed and bound to this listing, but positioned at another sandbox's partition.
    cursor = encode_cursor(
        {"p": "sb-acc-other#g0#account"}, listing_scope("sb-acc-edit", "account", {})
    )
    status, page, _ = _list(invoke, mine, cursor=cursor)
    assert status == 200
    _, own, _ = _list(invoke, mine)
    assert {a["id"] for a in page} <= {a["id"] for a in own}


def test_account_is_found_by_id_and_by_address(invoke, initialized_sandbox):
    caller = initialized_sandbox("sb-acc-get", accounts=3)
    _, (first, *_), _ = _list(invoke, caller)
    for ref in (first["id"], first["account_id"]):
        status, body, _ = invoke(
            "ledger", "ledger/get_account.json", caller=caller, path_parameters={"account_id": ref}
        )
        assert status == 200 and body == first


def test_another_sandboxs_account_is_404(invoke, initialized_sandbox):
    mine = initialized_sandbox("sb-acc-404-a", accounts=3)
    theirs = initialized_sandbox("sb-acc-404-b", accounts=3, seed=5)
    _, (foreign, *_), _ = _list(invoke, theirs)
    status, body, _ = invoke(
        "ledger",
        "ledger/get_account.json",
        caller=mine,
        path_parameters={"account_id": foreign["id"]},
    )
    assert status == 404 and body["code"] == "not_found"


def test_created_account_is_funded_listed_last_and_verifiable(invoke, initialized_sandbox):
    caller = initialized_sandbox("sb-acc-create", accounts=3)
    body = {"country_code": "gh", "network": "hedera", "opening_balances": {"GHS": "250.50"}}
    status, created, _ = invoke("ledger", "ledger/create_account.json", caller=caller, body=body)
    assert status == 201, created
    assert created["country_code"] == "GH" and created["account_id"].startswith("0.0.")
    assert created["balances"] == {"GHS": "250.50"} and created["holder_name"]
    assert created["verification_status"] == "unverified"
    _, listing, _ = _list(invoke, caller)
    assert listing[-1]["id"] == created["id"]
    status, verified, _ = invoke(
        "ledger",
        "ledger/verify_account.json",
        caller=caller,
        path_parameters={"account_id": created["account_id"]},
    )
    assert status == 200 and verified["verification_status"] == "verified"
    assert verified["verified_at"]


@pytest.mark.parametrize(
    "body",
    [
        {"country_code": "US"},
        {"country_code": "NG", "network": "bitcoin"},
        {"country_code": "NG", "opening_balances": {"EUR": "10"}},
        {"country_code": "NG", "opening_balances": {"USDC": "-5"}},
        {"country_code": "NG", "opening_balances": {"USDC": "ten"}},
        {"country_code": "NG", "surprise": True},
    ],
)
def test_bad_account_bodies_are_400_and_create_nothing(invoke, initialized_sandbox, body):
    caller = initialized_sandbox("sb-acc-bad", accounts=2)
    status, answer, _ = invoke("ledger", "ledger/create_account.json", caller=caller, body=body)
    assert status == 400 and answer["code"] == "validation_error"
    _, listing, _ = _list(invoke, caller)
    assert len(listing) == 2


def test_reading_needs_the_read_permission(invoke, make_key, as_developer):
    caller = as_developer(make_key(sandbox_id="sb-acc-perm", permissions=["write"]))
    status, body, _ = _list(invoke, caller)
    assert status == 403 and body["code"] == "forbidden"


def test_verifying_twice_keeps_the_first_verification(invoke, initialized_sandbox):
    caller = initialized_sandbox("sb-acc-verify", accounts=3)
    _, (first, *_), _ = _list(invoke, caller)
    assert first["verification_status"] == "verified"  # the funded scenario accounts are
    status, again, _ = invoke(
        "ledger",
        "ledger/verify_account.json",
        caller=caller,
        path_parameters={"account_id": first["id"]},
    )
    assert status == 200 and again == first
