"""The keys function against moto: lifecycle, gateway state, permissions, bad input."""

from __future__ import annotations

import boto3
import pytest

from sandbox_common.keys.secrets import digest


def gateway_key(api_key: str) -> dict:
    keys = boto3.client("apigateway").get_api_keys(includeValues=True)["items"]
    return next(k for k in keys if k["value"] == api_key)


def plan_members(stack, logical_id: str) -> set[str]:
    plan_id = stack.physical(logical_id).ref
    items = boto3.client("apigateway").get_usage_plan_keys(usagePlanId=plan_id)["items"]
    return {item["id"] for item in items}


def test_created_key_is_hashed_at_rest_and_enabled_in_its_tier_plan(stack, make_key):
    created = make_key(tier="free")
    assert created["api_key"].startswith("sk_sandbox_") and created["key_id"].startswith("sbx_")
    assert created["environment"] == "sandbox" and created["api_secret"]
    table = boto3.resource("dynamodb").Table(stack.physical("KeysTable").ref)
    items = table.scan()["Items"]
    stored = next(i for i in items if i["key_id"] == created["key_id"])
    assert stored["key_hash"] == digest(created["api_key"])
    assert created["api_key"] not in str(stored) and created["api_secret"] not in str(stored)
    gateway = gateway_key(created["api_key"])
    assert gateway["enabled"] is True
    assert gateway["id"] in plan_members(stack, "FreeUsagePlan")
    assert created["expires_at"] > created["created_at"]


def test_key_lands_in_the_sandbox_it_names_or_a_new_one(make_key):
    first = make_key(sandbox_id="team-blue")
    second = make_key(sandbox_id="team-blue")
    third = make_key()
    assert first["sandbox_id"] == second["sandbox_id"] == "team-blue"
    assert third["sandbox_id"].startswith("sb_") and third["sandbox_id"] != "team-blue"


def test_developer_key_cannot_manage_keys(invoke, make_key, as_developer):
    developer = as_developer(make_key())
    status, body, _ = invoke(
        "keys",
        "keys/create_key.json",
        caller=developer,
        body={"developer_name": "Eve", "developer_email": "eve@example.com"},
    )
    assert status == 403 and body["code"] == "forbidden"
    assert invoke("keys", "keys/revoke_key.json", caller=developer)[0] == 403
    assert invoke("keys", "keys/rotate_key.json", caller=developer)[0] == 403


def test_revoking_disables_the_gateway_key_and_is_repeatable(invoke, make_key, admin):
    created = make_key()
    params = {"key_id": created["key_id"]}
    status, body, _ = invoke("keys", "keys/revoke_key.json", caller=admin, path_parameters=params)
    assert status == 200 and body["status"] == "revoked" and body["is_active"] is False
    assert gateway_key(created["api_key"])["enabled"] is False
    again = invoke("keys", "keys/revoke_key.json", caller=admin, path_parameters=params)
    assert again[0] == 200 and again[1]["revoked_at"] == body["revoked_at"]


def test_rotation_issues_a_new_key_and_revokes_the_old(invoke, make_key, admin):
    old = make_key(tier="pro", permissions=["read"])
    status, new, _ = invoke(
        "keys", "keys/rotate_key.json", caller=admin, path_parameters={"key_id": old["key_id"]}
    )
    assert status == 201
    assert new["key_id"] != old["key_id"] and new["api_key"] != old["api_key"]
    assert (new["sandbox_id"], new["tier"], new["permissions"]) == (
        old["sandbox_id"],
        "pro",
        ["read"],
    )
    assert gateway_key(old["api_key"])["enabled"] is False
    assert gateway_key(new["api_key"])["enabled"] is True
    _, shown, _ = invoke(
        "keys", "keys/get_key.json", caller=admin, path_parameters={"key_id": old["key_id"]}
    )
    assert shown["status"] == "revoked" and shown["replaced_by"] == new["key_id"]
    twice = invoke(
        "keys", "keys/rotate_key.json", caller=admin, path_parameters={"key_id": old["key_id"]}
    )
    assert twice[0] == 409 and twice[1]["code"] == "conflict"


def test_changing_tier_moves_the_gateway_key_between_plans(stack, invoke, make_key, admin):
    created = make_key(tier="free")
    gateway_id = gateway_key(created["api_key"])["id"]
    status, body, _ = invoke(
        "keys",
        "keys/update_key.json",
        caller=admin,
        body={"tier": "pro"},
        path_parameters={"key_id": created["key_id"]},
    )
    assert status == 200 and body["tier"] == "pro"
    assert gateway_id in plan_members(stack, "ProUsagePlan")
    assert gateway_id not in plan_members(stack, "FreeUsagePlan")


def test_unknown_tier_is_400_and_changes_nothing(stack, invoke, make_key, admin):
    created = make_key(tier="free")
    status, body, _ = invoke(
        "keys",
        "keys/update_key.json",
        caller=admin,
        body={"tier": "platinum"},
        path_parameters={"key_id": created["key_id"]},
    )
    assert status == 400 and "platinum" in body["error"]
    assert gateway_key(created["api_key"])["id"] in plan_members(stack, "FreeUsagePlan")


def test_listing_is_scoped_to_the_developers_sandbox(invoke, make_key, admin, as_developer):
    mine = make_key(sandbox_id="sb-mine")
    make_key(sandbox_id="sb-theirs")
    _, listed, _ = invoke("keys", "keys/list_keys.json", caller=as_developer(mine))
    assert {k["sandbox_id"] for k in listed} == {"sb-mine"}
    _, everything, _ = invoke("keys", "keys/list_keys.json", caller=admin, query={"limit": "100"})
    assert {"sb-mine", "sb-theirs"} <= {k["sandbox_id"] for k in everything}
    assert all("key_hash" not in k and "api_key" not in k for k in everything)


def test_admin_listing_pages_with_an_opaque_cursor(invoke, make_key, admin):
    created = {make_key()["key_id"] for _ in range(5)}
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        status, page, headers = invoke("keys", "keys/list_keys.json", caller=admin, query=query)
        assert status == 200 and len(page) <= 2
        seen.extend(k["key_id"] for k in page)
        cursor = headers.get("x-next-cursor")
        if not cursor:
            break
    assert created <= set(seen) and len(seen) == len(set(seen))


def test_another_sandboxs_key_is_404_for_a_developer(invoke, make_key, as_developer):
    mine = make_key(sandbox_id="sb-a")
    theirs = make_key(sandbox_id="sb-b")
    status, body, _ = invoke(
        "keys",
        "keys/get_key.json",
        caller=as_developer(mine),
        path_parameters={"key_id": theirs["key_id"]},
    )
    assert status == 404 and body["code"] == "not_found"


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        {"developer_name": "Ada"},
        {"developer_name": "Ada", "developer_email": "no-at-sign"},
        {"developer_name": "Ada", "developer_email": "a@example.com", "surprise": 1},
        {"developer_name": ["Ada"], "developer_email": "a@example.com"},
        {"developer_name": "Ada", "developer_email": "a@example.com", "tier": "gold"},
        {"developer_name": "Ada", "developer_email": "a@example.com", "permissions": ["sudo"]},
        {"developer_name": "Ada", "developer_email": "a@example.com", "sandbox_id": "x" * 101},
    ],
)
def test_bad_create_requests_are_400_and_create_nothing(stack, invoke, admin, body):
    status, response, _ = invoke("keys", "keys/create_key.json", caller=admin, body=body)
    assert status == 400 and response["code"] == "validation_error"
    assert boto3.client("apigateway").get_api_keys()["items"] == [
        k for k in boto3.client("apigateway").get_api_keys()["items"] if k["name"].endswith("admin")
    ]
    table = boto3.resource("dynamodb").Table(stack.physical("KeysTable").ref)
    assert table.scan()["Items"] == []


@pytest.mark.parametrize("key_id", ["sbx_doesNotExist", "not-a-key-id", "sbx_"])
def test_unknown_key_ids_are_404(invoke, admin, key_id):
    status, body, _ = invoke(
        "keys", "keys/revoke_key.json", caller=admin, path_parameters={"key_id": key_id}
    )
    assert status == 404 and body["code"] == "not_found"


def test_failure_half_way_leaves_no_key_behind(stack, invoke, admin):
    # The keys table is unavailable when the record is written, after the sandbox and the
    # gateway key were made: creation must undo both.
    boto3.client("dynamodb").delete_table(TableName=stack.physical("KeysTable").ref)
    apigw = boto3.client("apigateway")
    before = {k["id"] for k in apigw.get_api_keys()["items"]}
    status, body, _ = invoke(
        "keys",
        "keys/create_key.json",
        caller=admin,
        body={"developer_name": "Ada", "developer_email": "a@example.com", "sandbox_id": "sb-new"},
    )
    assert status == 502 and body["code"] == "upstream_error"
    assert {k["id"] for k in apigw.get_api_keys()["items"]} == before
    sandboxes = boto3.resource("dynamodb").Table(stack.physical("SandboxesTable").ref)
    assert sandboxes.scan()["Items"] == []


def test_developer_gets_403_not_400_for_a_body_it_may_not_send(invoke, make_key, as_developer):
    status, body, _ = invoke(
        "keys", "keys/create_key.json", caller=as_developer(make_key()), body={"junk": True}
    )
    assert status == 403 and body["code"] == "forbidden"
