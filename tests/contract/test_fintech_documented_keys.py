"""The fintech sandbox's documented key management, through the runtime's keys API.

The documented service creates a key for a developer's name and email (permissions default
to read, write and analytics; 90 days of validity), shows the clear key and secret once,
validates a presented key (active and not expired), lists keys newest first and revokes
them. Here keys are issued with the admin key, as an operator issues them.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

# ``sk_sandbox_`` + token_urlsafe(32) and token_urlsafe(64), as documented; the key id is
# ``sbx_`` + a url-safe token of at least the documented 8 random bytes (this API uses 9).
API_KEY = re.compile(r"^sk_sandbox_[A-Za-z0-9_-]{43}$")
API_SECRET = re.compile(r"^[A-Za-z0-9_-]{86}$")
KEY_ID = re.compile(r"^sbx_[A-Za-z0-9_-]{11,}$")


@pytest.fixture(scope="module")
def admin_headers(admin_key):
    return {"Authorization": f"Bearer {admin_key}"}


def _create(client, admin_headers, **fields: Any) -> dict[str, Any]:
    name = "dev-" + secrets.token_hex(4)
    body = {"developer_name": name, "developer_email": f"{name}@example.com", **fields}
    response = client.post("/api/v1/sandbox/keys", headers=admin_headers, json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _bearer(created: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {created['api_key']}"}


def test_a_created_key_has_the_documented_fields(client, admin_headers):
    response = client.post(
        "/api/v1/sandbox/keys",
        headers=admin_headers,
        json={"developer_name": "Ada Obi", "developer_email": "ada@example.com"},
    )

    assert response.status_code == 201, response.text
    created = response.json()
    assert API_KEY.match(created["api_key"])
    assert API_SECRET.match(created["api_secret"])  # shown only in this answer
    assert KEY_ID.match(created["key_id"])
    assert created["developer_name"] == "Ada Obi"
    assert created["permissions"] == ["read", "write", "analytics"]
    assert created["environment"] == "sandbox"
    # Valid for the documented 90 days from its creation.
    issued = datetime.fromisoformat(created["created_at"])
    assert datetime.fromisoformat(created["expires_at"]) - issued == timedelta(days=90)


def test_permissions_asked_for_are_the_ones_granted(client, admin_headers):
    created = _create(client, admin_headers, permissions=["read"])

    assert created["permissions"] == ["read"]
    # A read-only key cannot write: initializing is refused.
    refused = client.post("/api/v1/sandbox/initialize", headers=_bearer(created), json={})
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "forbidden"


def test_a_created_key_validates_as_its_developer(client, admin_headers):
    """Validation answers the key's id, developer, permissions and environment."""
    created = _create(client, admin_headers)

    response = client.get(f"/api/v1/sandbox/keys/{created['key_id']}", headers=_bearer(created))

    assert response.status_code == 200, response.text
    validated = response.json()
    assert validated["key_id"] == created["key_id"]
    assert validated["developer_name"] == created["developer_name"]
    assert validated["permissions"] == created["permissions"]
    assert validated["environment"] == "sandbox"
    assert validated["is_active"] is True
    assert "api_secret" not in validated and "api_key" not in validated


def test_keys_are_listed_newest_first_with_the_documented_fields(client, admin_headers):
    first = _create(client, admin_headers)
    second = _create(client, admin_headers, sandbox_id=first["sandbox_id"])

    response = client.get("/api/v1/sandbox/keys", headers=_bearer(first))

    assert response.status_code == 200, response.text
    listed = response.json()
    assert [key["key_id"] for key in listed] == [second["key_id"], first["key_id"]]
    for key, created in zip(listed, (second, first), strict=True):
        assert key["developer_name"] == created["developer_name"]
        assert key["developer_email"] == created["developer_email"]
        assert key["permissions"] == ["read", "write", "analytics"]
        assert key["is_active"] is True
        assert key["created_at"] == created["created_at"]
        assert key["expires_at"] == created["expires_at"]


def test_listed_keys_tell_when_they_were_last_used(client, admin_headers):
    created = _create(client, admin_headers)
    before = client.get("/api/v1/sandbox/keys", headers=admin_headers, params={"limit": 100})
    never = next(key for key in before.json() if key["key_id"] == created["key_id"])
    assert never["last_used"] is None

    used = client.get("/api/v1/sandbox/status", headers=_bearer(created))
    listed = client.get("/api/v1/sandbox/keys", headers=_bearer(created)).json()

    assert used.status_code == 200, used.text
    # Stamped when the key authenticated (the status call; the listing is within minutes).
    [key] = listed
    last_used = datetime.fromisoformat(key["last_used"])
    assert datetime.fromisoformat(created["created_at"]) <= last_used
    assert last_used <= datetime.now(UTC)


def test_a_revoked_key_is_inactive_and_refused(client, admin_headers):
    created = _create(client, admin_headers)

    response = client.delete(f"/api/v1/sandbox/keys/{created['key_id']}", headers=admin_headers)

    assert response.status_code == 200, response.text
    revoked = response.json()
    assert revoked["is_active"] is False
    assert revoked["status"] == "revoked"
    assert datetime.fromisoformat(revoked["revoked_at"]) >= datetime.fromisoformat(
        created["created_at"]
    )
    refused = client.get("/api/v1/sandbox/status", headers=_bearer(created))
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "forbidden"


def test_revoking_an_unknown_key_is_not_found(client, admin_headers):
    """The documented revoke answers false for an unknown key id: here a 404."""
    response = client.delete("/api/v1/sandbox/keys/sbx_nosuchkey0", headers=admin_headers)

    assert response.status_code == 404, response.text
    body = response.json()
    assert (body["success"], body["code"]) == (False, "not_found")


def test_a_request_without_a_key_is_401(client):
    response = client.get("/api/v1/sandbox/accounts")

    assert response.status_code == 401, response.text
    body = response.json()
    assert body["success"] is False
    assert body["code"] == "unauthorized"
    assert body["error"] == "Missing API key: send Authorization: Bearer <key> or x-api-key"
    assert body["requestId"] == response.headers["x-amzn-requestid"]
