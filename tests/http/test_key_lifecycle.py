"""The whole key lifecycle through the local runtime, as an integrator's HTTP client sees it."""

from __future__ import annotations

import pytest

KEYS = "/api/v1/sandbox/keys"
STATUS = "/api/v1/sandbox/status"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def assert_envelope(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False and body["code"] == code
    assert body["error"] and body["requestId"]


@pytest.fixture
def new_key(client, admin_key):
    def create(**fields):
        body = {"developer_name": "Grace Hopper", "developer_email": "grace@example.com", **fields}
        response = client.post(KEYS, json=body, headers=bearer(admin_key))
        assert response.status_code == 201, response.text
        return response.json()

    return create


def test_health_is_public_and_matches_seed_001(client):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True and body["message"] == "Sandbox Manager is running"
    assert set(body["data"]) == {"timestamp", "uptime", "version"}


def test_new_key_works_as_bearer_and_as_x_api_key(client, new_key):
    created = new_key()
    by_bearer = client.get(STATUS, headers=bearer(created["api_key"]))
    by_header = client.get(STATUS, headers={"x-api-key": created["api_key"]})
    assert by_bearer.status_code == by_header.status_code == 200
    assert by_bearer.json()["sandbox_id"] == created["sandbox_id"]
    assert by_bearer.headers["X-RateLimit-Limit"] == "1000"
    assert int(by_header.headers["X-RateLimit-Remaining"]) < 1000


def test_revoked_key_is_rejected_immediately(client, new_key, admin_key):
    created = new_key()
    assert client.get(STATUS, headers=bearer(created["api_key"])).status_code == 200
    revoked = client.delete(f"{KEYS}/{created['key_id']}", headers=bearer(admin_key))
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert_envelope(client.get(STATUS, headers=bearer(created["api_key"])), 403, "forbidden")


def test_rotated_away_key_is_rejected_and_the_new_one_works(client, new_key, admin_key):
    old = new_key()
    rotated = client.post(f"{KEYS}/{old['key_id']}/rotate", headers=bearer(admin_key))
    assert rotated.status_code == 201
    new = rotated.json()
    assert_envelope(client.get(STATUS, headers=bearer(old["api_key"])), 403, "forbidden")
    assert (
        client.get(STATUS, headers=bearer(new["api_key"])).json()["sandbox_id"] == old["sandbox_id"]
    )


def test_listing_shows_keys_without_secrets(client, new_key, admin_key):
    created = new_key()
    listed = client.get(KEYS, headers=bearer(admin_key), params={"limit": 100}).json()
    mine = next(k for k in listed if k["key_id"] == created["key_id"])
    assert mine["is_active"] is True and "api_key" not in mine and "key_hash" not in mine


def test_tier_change_takes_effect_on_the_next_request(client, new_key, admin_key):
    created = new_key(tier="free")
    moved = client.patch(
        f"{KEYS}/{created['key_id']}", json={"tier": "pro"}, headers=bearer(admin_key)
    )
    assert moved.status_code == 200 and moved.json()["tier"] == "pro"
    response = client.get(STATUS, headers=bearer(created["api_key"]))
    assert response.headers["X-RateLimit-Limit"] == "100000"


def test_no_key_is_401(client):
    assert_envelope(client.get(STATUS), 401, "unauthorized")


@pytest.mark.parametrize(
    "key",
    ["sk_sandbox_" + "0" * 43, "sk_live_" + "0" * 43, "not-a-key"],
)
def test_unknown_or_wrong_prefix_key_is_403(client, key):
    assert_envelope(client.get(STATUS, headers={"x-api-key": key}), 403, "forbidden")


def test_developer_key_cannot_manage_keys(client, new_key):
    developer = bearer(new_key()["api_key"])
    other = new_key()
    body = {"developer_name": "Eve", "developer_email": "eve@example.com"}
    assert_envelope(client.post(KEYS, json=body, headers=developer), 403, "forbidden")
    assert_envelope(client.delete(f"{KEYS}/{other['key_id']}", headers=developer), 403, "forbidden")
    assert_envelope(
        client.post(f"{KEYS}/{other['key_id']}/rotate", headers=developer), 403, "forbidden"
    )


def test_unknown_route_is_404_and_wrong_method_405(client, new_key):
    developer = bearer(new_key()["api_key"])
    assert_envelope(client.get("/api/v1/sandbox/nowhere", headers=developer), 404, "not_found")
    assert_envelope(client.put(STATUS, headers=developer), 405, "method_not_allowed")


@pytest.mark.parametrize(
    ("body", "content"),
    [
        (None, b"{broken"),
        ({"developer_name": "A", "developer_email": "nope"}, None),
        ({"developer_name": "A", "developer_email": "a@example.com", "extra": 1}, None),
        ({"developer_name": 7, "developer_email": "a@example.com"}, None),
    ],
)
def test_bad_bodies_are_400_and_create_nothing(client, admin_key, body, content):
    before = len(client.get(KEYS, headers=bearer(admin_key), params={"limit": 100}).json())
    headers = {**bearer(admin_key), "Content-Type": "application/json"}
    response = (
        client.post(KEYS, json=body, headers=headers)
        if content is None
        else client.post(KEYS, content=content, headers=headers)
    )
    assert_envelope(response, 400, "validation_error")
    after = len(client.get(KEYS, headers=bearer(admin_key), params={"limit": 100}).json())
    assert after == before


def test_another_sandboxs_key_is_404(client, new_key):
    mine = new_key()
    theirs = new_key()
    response = client.get(f"{KEYS}/{theirs['key_id']}", headers=bearer(mine["api_key"]))
    assert_envelope(response, 404, "not_found")


def test_usage_reports_the_callers_own_traffic(client, new_key):
    created = new_key()
    headers = bearer(created["api_key"])
    for _ in range(4):
        client.get(STATUS, headers=headers)
    report = client.get("/api/v1/sandbox/usage", headers=headers).json()
    assert report["key_id"] == created["key_id"]
    status_route = next(e for e in report["by_endpoint"] if e["endpoint"] == f"GET {STATUS}")
    assert status_route["requests"] == 4
    assert report["quota"]["limit"] == 1000 and report["quota"]["remaining"] == 996
    assert report["latency_ms"]["p95"] is not None
