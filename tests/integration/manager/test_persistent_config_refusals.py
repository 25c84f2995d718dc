"""Every validation rule of POST /update-sandbox-config: 400 in the envelope, nothing stored."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.manager.drivers import config_body, stored_config, update_config


def _with_config(**changes: Any) -> dict[str, Any]:
    body = config_body("sb_owner")
    body["persistantConfig"].update(changes)
    return body


def _with_limited(**changes: Any) -> dict[str, Any]:
    body = config_body("sb_owner")
    body["persistantConfig"]["limitedConfig"].update(changes)
    return body


def _with_charge(**changes: Any) -> dict[str, Any]:
    body = config_body("sb_owner")
    body["persistantConfig"]["lastCreditsCharge"].update(changes)
    return body


def _without(field: str) -> dict[str, Any]:
    body = config_body("sb_owner")
    del body[field]
    return body


REFUSED = {
    "email_not_an_email": config_body("sb_owner", userEmail="not-an-email"),
    "email_missing": _without("userEmail"),
    "customer_id_with_a_space": config_body("sb_owner", customerId="cust 123"),
    "customer_id_empty": config_body("sb_owner", customerId=""),
    "customer_id_too_long": config_body("sb_owner", customerId="c" * 101),
    "sandbox_id_with_a_slash": config_body("sb/owner"),
    "sandbox_id_missing": _without("sandboxId"),
    "config_missing": _without("persistantConfig"),
    "days_zero": _with_limited(days=0),
    "days_over_a_year": _with_limited(days=366),
    "days_a_fraction": _with_limited(days=1.5),
    "days_a_string": _with_limited(days="30"),
    "start_timestamp_zero": _with_limited(startTimestamp=0),
    "start_timestamp_negative": _with_limited(startTimestamp=-1),
    "start_timestamp_a_string": _with_limited(startTimestamp="1640995200000"),
    "start_timestamp_a_boolean": _with_limited(startTimestamp=True),
    "charge_timestamp_a_fraction": _with_charge(timestamp=1640995200000.5),
    "wake_up_timestamp_a_string": _with_config(lastWakeUpTimestamp="yesterday"),
    "amount_negative": _with_charge(amount=-0.01),
    "amount_a_string": _with_charge(amount="1.5"),
    "amount_a_boolean": _with_charge(amount=True),
    "enabled_a_string": _with_config(enabled="true"),
    "mode_unknown": _with_config(mode="sometimes"),
    "limited_without_its_window": _with_config(mode="limited", limitedConfig=None),
    "unknown_top_level_field": config_body("sb_owner", plan="gold"),
    "unknown_config_field": _with_config(hibernate=True),
    "unknown_window_field": _with_limited(hours=3),
}


@pytest.mark.parametrize("body", REFUSED.values(), ids=REFUSED.keys())
def test_an_invalid_update_is_400_and_stores_nothing(invoke, admin, body):
    status, answer = update_config(invoke, admin, body)

    assert status == 400, answer
    assert answer["success"] is False
    assert answer["code"] == "validation_error"
    assert answer["requestId"]
    assert stored_config(invoke, admin, "sb_owner") is None


def test_a_body_that_is_not_json_is_400(invoke, admin):
    status, answer = update_config(invoke, admin, "{not json")

    assert status == 400
    assert answer["code"] == "validation_error"
