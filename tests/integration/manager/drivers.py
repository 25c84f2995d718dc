"""Drivers of the manager's persistent-config routes, called through the manager handler."""

from __future__ import annotations

import copy
from typing import Any

FUNCTION = "manager"

# A documented-shape body (every optional field present).
FULL_CONFIG: dict[str, Any] = {
    "enabled": True,
    "mode": "forever",
    "limitedConfig": {"startTimestamp": 1640995200000, "days": 30},
    "lastCreditsCharge": {"timestamp": 1640995200000, "amount": 1.5},
    "lastWakeUpTimestamp": 1640995200000,
}


def config_body(sandbox_id: str, **overrides: Any) -> dict[str, Any]:
    """An update body for ``sandbox_id``; keyword overrides replace top-level fields."""
    body: dict[str, Any] = {
        "userEmail": "owner@example.com",
        "customerId": "cust_123",
        "sandboxId": sandbox_id,
        "persistantConfig": copy.deepcopy(FULL_CONFIG),
    }
    body.update(overrides)
    return body


def update_config(invoke: Any, caller: dict[str, str], body: Any) -> tuple[int, Any]:
    """POST /update-sandbox-config as ``caller``."""
    status, answer, _ = invoke(FUNCTION, "manager/update_config.json", caller=caller, body=body)
    return status, answer


def get_config(
    invoke: Any, caller: dict[str, str], query: dict[str, str] | None
) -> tuple[int, Any]:
    """GET /get-persistant-config as ``caller`` with ``query`` (None: no query string)."""
    status, answer, _ = invoke(
        FUNCTION, "manager/get_config.json", caller=caller, query=query or {}
    )
    return status, answer


def stored_config(invoke: Any, caller: dict[str, str], sandbox_id: str) -> Any:
    """The config GET answers for ``sandbox_id`` (None when it answers 404)."""
    status, answer = get_config(invoke, caller, {"sandboxId": sandbox_id})
    if status == 404:
        return None
    assert status == 200, answer
    return answer["data"]
