"""The sandbox lifecycle through the local runtime: a shut-down sandbox refuses its developer
keys but answers its status and configs, an admin is still served, and a request after the
idle time wakes a hibernating sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from sandbox_common import providers
from sandbox_common.clock import FixedClock
from sandbox_common.sandboxes.lifecycle import lifecycle_view
from sandbox_common.sandboxes.models import LifecycleState
from tests.http.drivers import new_developer_key

BASE = "/api/v1/sandbox"
REASON = "credits exhausted: 0.1 left, 0.2 needed"


@pytest.fixture
def developer(client, admin_key) -> tuple[dict[str, str], str]:
    """A developer key's headers and its sandbox id."""
    headers = {"x-api-key": new_developer_key(client, admin_key)}
    status = client.get(BASE + "/status", headers=headers)
    assert status.status_code == 200, status.text
    return headers, status.json()["sandbox_id"]


@pytest.fixture
def wall() -> Iterator[FixedClock]:
    """The runtime's wall time, held still from now on (only the test moves it)."""
    clock = FixedClock(datetime.now(UTC))
    providers.override_clock(clock)
    yield clock
    providers.override_clock(None)


def config_update(sandbox_id: str, *, enabled: bool) -> dict[str, object]:
    return {
        "userEmail": "owner@example.com",
        "customerId": "cust_life",
        "sandboxId": sandbox_id,
        "persistantConfig": {"enabled": enabled, "mode": "forever"},
    }


def test_a_shut_down_sandbox_refuses_its_developer_key_but_says_why(client, developer):
    headers, sandbox_id = developer
    providers.sandboxes_repository().shut_down(
        sandbox_id, reason=REASON, at=providers.wall_clock().now()
    )

    refused = client.get(BASE + "/accounts", headers=headers)
    assert refused.status_code == 403, refused.text
    body = refused.json()
    assert body["success"] is False and body["code"] == "sandbox_shut_down"
    assert REASON in body["error"] and "/update-sandbox-config" in body["error"]
    assert body["requestId"]

    status = client.get(BASE + "/status", headers=headers)
    assert status.status_code == 200, status.text
    assert status.json()["lifecycle_state"] == "shut_down"
    assert status.json()["lifecycle"]["reason"] == REASON

    assert client.get(BASE + "/config", headers=headers).status_code == 200
    updated = client.post(
        "/update-sandbox-config", headers=headers, json=config_update(sandbox_id, enabled=True)
    )
    assert updated.status_code == 200, updated.text
    read = client.get(f"/get-persistant-config?sandboxId={sandbox_id}", headers=headers)
    assert read.status_code == 200, read.text


def test_an_admin_key_is_still_served_for_a_shut_down_sandbox(client, developer, admin_key):
    _, sandbox_id = developer
    admin = {"Authorization": f"Bearer {admin_key}"}
    providers.sandboxes_repository().shut_down(
        sandbox_id, reason=REASON, at=providers.wall_clock().now()
    )

    updated = client.post(
        "/update-sandbox-config", headers=admin, json=config_update(sandbox_id, enabled=False)
    )
    assert updated.status_code == 200, updated.text
    read = client.get(f"/get-persistant-config?sandboxId={sandbox_id}", headers=admin)
    assert read.status_code == 200 and read.json()["data"]["enabled"] is False


def test_a_reopened_sandbox_serves_its_developer_key_again(client, developer):
    headers, sandbox_id = developer
    sandboxes = providers.sandboxes_repository()
    sandboxes.shut_down(sandbox_id, reason=REASON, at=providers.wall_clock().now())
    assert client.get(BASE + "/accounts", headers=headers).status_code == 403

    sandboxes.reopen(sandbox_id, reason="re-enabled by a@b.c", at=providers.wall_clock().now())

    assert client.get(BASE + "/accounts", headers=headers).status_code == 200
    lifecycle = client.get(BASE + "/status", headers=headers).json()["lifecycle"]
    assert lifecycle["state"] == "active" and lifecycle["reason"] == "re-enabled by a@b.c"


def test_an_idle_sandbox_hibernates_and_the_next_request_wakes_it(client, developer, wall):
    headers, sandbox_id = developer
    idle = timedelta(minutes=providers.settings().sandbox_idle_minutes)
    assert client.get(BASE + "/accounts", headers=headers).status_code == 200
    wall.advance((idle + timedelta(minutes=1)).total_seconds())

    sandbox = providers.sandboxes_repository().get(sandbox_id)
    assert sandbox is not None
    assert lifecycle_view(sandbox, wall.now(), idle).state is LifecycleState.HIBERNATING

    assert client.get(BASE + "/accounts", headers=headers).status_code == 200

    lifecycle = client.get(BASE + "/status", headers=headers).json()["lifecycle"]
    assert lifecycle["state"] == "active" and lifecycle["reason"] == "woken by a request"
    woke_at = datetime.fromisoformat(lifecycle["last_wake_up_at"])
    assert woke_at == wall.now().replace(microsecond=wall.now().microsecond // 1000 * 1000)
