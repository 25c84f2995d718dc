"""POST /update-sandbox-config and GET /get-persistant-config through the manager handler."""

from __future__ import annotations

import pytest

from sandbox_common import providers
from sandbox_common.errors import Conflict
from sandbox_common.storage.persistent_configs_repository import ENABLED, ENABLED_INDEX
from tests.integration.manager.drivers import (
    FULL_CONFIG,
    config_body,
    get_config,
    stored_config,
    update_config,
)


@pytest.fixture
def developer(make_key, as_developer):
    return as_developer(make_key(sandbox_id="sb_owner"))


def test_first_update_creates_the_config_and_get_returns_it_as_stored(invoke, developer):
    status, answer = update_config(invoke, developer, config_body("sb_owner"))

    assert status == 200
    assert answer == {"success": True, "message": "Configuration updated successfully"}
    status, answer = get_config(invoke, developer, {"sandboxId": "sb_owner"})
    assert status == 200
    assert answer == {"success": True, "data": FULL_CONFIG}


def test_absent_optional_fields_are_absent_from_the_answer(invoke, developer):
    body = config_body("sb_owner", persistantConfig={"enabled": False, "mode": "forever"})
    assert update_config(invoke, developer, body)[0] == 200

    assert stored_config(invoke, developer, "sb_owner") == {"enabled": False, "mode": "forever"}


def test_update_with_the_owners_email_replaces_the_config(invoke, developer):
    update_config(invoke, developer, config_body("sb_owner"))
    limited = {
        "enabled": True,
        "mode": "limited",
        "limitedConfig": {"startTimestamp": 5, "days": 2},
    }

    status, _ = update_config(
        invoke,
        developer,
        config_body("sb_owner", userEmail="OWNER@example.com", persistantConfig=limited),
    )

    assert status == 200
    assert stored_config(invoke, developer, "sb_owner") == limited


def test_update_with_another_email_is_401_and_changes_nothing(invoke, developer):
    update_config(invoke, developer, config_body("sb_owner"))

    status, answer = update_config(
        invoke,
        developer,
        config_body(
            "sb_owner",
            userEmail="intruder@example.com",
            persistantConfig={"enabled": False, "mode": "forever"},
        ),
    )

    assert status == 401
    assert answer["success"] is False
    assert answer["code"] == "email_mismatch"
    assert answer["requestId"]
    assert stored_config(invoke, developer, "sb_owner") == FULL_CONFIG


def test_get_of_a_sandbox_without_config_is_404(invoke, developer):
    status, answer = get_config(invoke, developer, {"sandboxId": "sb_owner"})

    assert status == 404
    assert answer["success"] is False
    assert answer["code"] == "not_found"


@pytest.mark.parametrize(
    "query", [None, {"sandboxId": ""}, {"sandboxId": "sb 1"}, {"sandboxId": "x" * 101}]
)
def test_get_with_a_missing_or_invalid_sandbox_id_is_400(invoke, developer, query):
    status, answer = get_config(invoke, developer, query)

    assert status == 400
    assert answer["success"] is False
    assert answer["code"] == "validation_error"


def test_a_developer_key_reaches_no_other_sandboxs_config(
    invoke, developer, admin, make_key, as_developer
):
    other = as_developer(make_key(sandbox_id="sb_other"))
    update_config(invoke, other, config_body("sb_other"))

    assert get_config(invoke, developer, {"sandboxId": "sb_other"})[0] == 404
    status, _ = update_config(
        invoke,
        developer,
        config_body("sb_other", persistantConfig={"enabled": False, "mode": "forever"}),
    )
    assert status == 404
    assert stored_config(invoke, admin, "sb_other") == FULL_CONFIG


def test_an_admin_key_reads_and_updates_any_sandboxs_config(invoke, developer, admin):
    update_config(invoke, developer, config_body("sb_owner"))

    assert stored_config(invoke, admin, "sb_owner") == FULL_CONFIG
    disabled = {"enabled": False, "mode": "forever"}
    assert (
        update_config(invoke, admin, config_body("sb_owner", persistantConfig=disabled))[0] == 200
    )
    assert stored_config(invoke, developer, "sb_owner") == disabled


def test_an_admin_update_for_an_unknown_sandbox_creates_that_sandbox(invoke, admin):
    assert providers.sandboxes_repository().get("sb_brand_new") is None

    assert update_config(invoke, admin, config_body("sb_brand_new"))[0] == 200

    sandbox = providers.sandboxes_repository().get("sb_brand_new")
    assert sandbox is not None
    assert sandbox.owner_email == "owner@example.com"
    assert stored_config(invoke, admin, "sb_brand_new") == FULL_CONFIG


def test_of_two_updates_read_at_the_same_version_the_second_is_refused(invoke, developer):
    update_config(invoke, developer, config_body("sb_owner"))
    configs = providers.persistent_configs_repository()
    read = configs.get("sb_owner")
    assert read is not None
    first = read.model_copy(update={"version": read.version + 1, "customer_id": "cust_first"})
    second = read.model_copy(update={"version": read.version + 1, "customer_id": "cust_second"})

    configs.replace(first, read=read)
    with pytest.raises(Conflict):
        configs.replace(second, read=read)

    stored = configs.get("sb_owner")
    assert stored is not None
    assert (stored.customer_id, stored.version) == ("cust_first", read.version + 1)


def test_a_config_created_concurrently_is_not_overwritten(invoke, developer):
    update_config(invoke, developer, config_body("sb_owner"))
    configs = providers.persistent_configs_repository()
    read = configs.get("sb_owner")
    assert read is not None

    with pytest.raises(Conflict):
        configs.create(read.model_copy(update={"customer_id": "cust_late"}))

    stored = configs.get("sb_owner")
    assert stored is not None and stored.customer_id == "cust_123"


def test_only_enabled_configs_are_in_the_enabled_index(invoke, admin):
    update_config(invoke, admin, config_body("sb_on"))
    update_config(
        invoke, admin, config_body("sb_off", persistantConfig={"enabled": False, "mode": "forever"})
    )
    update_config(invoke, admin, config_body("sb_turned_off"))
    update_config(
        invoke,
        admin,
        config_body("sb_turned_off", persistantConfig={"enabled": False, "mode": "forever"}),
    )

    table = providers.persistent_configs_repository()._table
    from boto3.dynamodb.conditions import Key

    page = table.query(
        IndexName=ENABLED_INDEX, KeyConditionExpression=Key("enabledKey").eq(ENABLED)
    )
    assert [item["sandboxId"] for item in page["Items"]] == ["sb_on"]
