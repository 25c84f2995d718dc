"""Keys created are counted in the project's counters, by tier, once per key issued."""

from __future__ import annotations

from decimal import Decimal

from sandbox_common.platform_usage.counters import BusinessEvent
from tests.integration.project_counters import counted, emf_documents


def test_each_key_created_counts_once_in_its_tier(stack, make_key):
    make_key(tier="free")
    make_key(tier="pro")
    make_key(tier="pro", sandbox_id="team-counted")

    assert counted(BusinessEvent.KEYS_CREATED, "free") == 1
    assert counted(BusinessEvent.KEYS_CREATED, "pro") == 2


def test_a_refused_create_counts_nothing(invoke, make_key, as_developer, admin):
    developer = as_developer(make_key(tier="free"))
    before = counted(BusinessEvent.KEYS_CREATED, "free")
    body = {"developer_name": "Eve", "developer_email": "eve@example.com", "tier": "free"}

    forbidden = invoke("keys", "keys/create_key.json", caller=developer, body=body)
    unknown_tier = invoke("keys", "keys/create_key.json", caller=admin, body={**body, "tier": "x"})

    assert (forbidden[0], unknown_tier[0]) == (403, 400)
    assert counted(BusinessEvent.KEYS_CREATED, "free") == before == Decimal(1)
    assert counted(BusinessEvent.KEYS_CREATED, "x") == 0


def test_rotating_or_revoking_a_key_creates_no_key_in_the_counts(invoke, make_key, admin):
    created = make_key(tier="free")
    params = {"key_id": created["key_id"]}

    rotated = invoke("keys", "keys/rotate_key.json", caller=admin, path_parameters=params)
    revoked = invoke(
        "keys",
        "keys/revoke_key.json",
        caller=admin,
        path_parameters={"key_id": rotated[1]["key_id"]},
    )

    assert (rotated[0], revoked[0]) == (201, 200)
    assert counted(BusinessEvent.KEYS_CREATED, "free") == 1


def test_the_keys_function_publishes_keys_created_under_its_own_service(
    make_key, monkeypatch, capsys
):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")

    make_key(tier="pro")

    [document] = emf_documents(capsys.readouterr().out, "KeysCreated")
    assert document["KeysCreated"] == [1.0] and document["service"] == "keys"
    assert document["counter"] == "keys_created#pro"
