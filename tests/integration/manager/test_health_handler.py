"""GET /health: the manager's envelope, public."""

from __future__ import annotations

import re


def test_health_matches_seed_001(invoke):
    status, body, _ = invoke("manager", "manager/health.json")
    assert status == 200
    assert body["success"] is True
    assert body["message"] == "Sandbox Manager is running"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["data"]["timestamp"])
    assert isinstance(body["data"]["uptime"], float) and body["data"]["uptime"] >= 0
    assert body["data"]["version"] == "1.0.0"
