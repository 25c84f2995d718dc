"""The sandbox clock through the local runtime: freeze, advance, read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.http.drivers import new_developer_key


@pytest.fixture
def headers(client, admin_key):
    return {"x-api-key": new_developer_key(client, admin_key)}


def test_freeze_then_advance_then_read(client, headers):
    target = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)

    frozen = client.post(
        "/api/v1/sandbox/clock/freeze", headers=headers, json={"at": target.isoformat()}
    )
    assert frozen.status_code == 200, frozen.text
    assert datetime.fromisoformat(frozen.json()["frozen_at"]) == target

    advanced = client.post("/api/v1/sandbox/clock/advance", headers=headers, json={"seconds": 5400})
    assert advanced.status_code == 200, advanced.text
    assert advanced.json()["delivered"] == 0

    clock = client.get("/api/v1/sandbox/clock", headers=headers)
    assert clock.status_code == 200, clock.text
    assert clock.json()["frozen"] is True
    assert datetime.fromisoformat(clock.json()["now"]) == target + timedelta(minutes=90)

    status = client.get("/api/v1/sandbox/status", headers=headers).json()
    assert datetime.fromisoformat(status["clock"]["now"]) == target + timedelta(minutes=90)


def test_advance_by_text_is_a_400_envelope_and_moves_nothing(client, headers):
    before = client.get("/api/v1/sandbox/clock", headers=headers).json()

    refused = client.post("/api/v1/sandbox/clock/advance", headers=headers, json={"seconds": "60"})

    assert refused.status_code == 400
    assert refused.json()["code"] == "validation_error" and refused.json()["success"] is False
    after = client.get("/api/v1/sandbox/clock", headers=headers).json()
    assert after["offset_seconds"] == before["offset_seconds"] == 0
