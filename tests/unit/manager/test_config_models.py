"""The persistent-config request model: what it accepts, what it refuses, how it reads back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from sandbox_common.manager.models import (
    ConfigUpdate,
    PersistenceMode,
    PersistentConfig,
    StoredConfig,
)


def _config(**changes: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "enabled": True,
        "mode": "limited",
        "limitedConfig": {"startTimestamp": 1640995200000, "days": 30},
        "lastCreditsCharge": {"timestamp": 1640995200000, "amount": 1.5},
        "lastWakeUpTimestamp": 1640995200000,
    }
    config.update(changes)
    return config


def test_the_documented_config_parses_with_an_exact_amount():
    config = PersistentConfig.model_validate(_config())

    assert config.mode is PersistenceMode.LIMITED
    assert config.limited_config is not None and config.limited_config.days == 30
    assert config.last_credits_charge is not None
    assert config.last_credits_charge.amount == Decimal("1.5")


def test_the_config_is_sent_back_in_the_documented_shape():
    sent = _config()

    assert PersistentConfig.model_validate(sent).model_dump(mode="json", by_alias=True) == sent


def test_numbers_read_back_from_dynamodb_as_decimals_parse_again():
    stored = _config(
        limitedConfig={"startTimestamp": Decimal("1640995200000"), "days": Decimal("30")},
        lastCreditsCharge={"timestamp": Decimal("1640995200000"), "amount": Decimal("0.2000")},
    )

    config = PersistentConfig.model_validate(stored)

    assert (
        config.limited_config is not None and config.limited_config.start_timestamp == 1640995200000
    )
    assert config.last_credits_charge is not None
    assert config.last_credits_charge.amount == Decimal("0.2")


def test_forever_needs_no_window_but_limited_does():
    assert (
        PersistentConfig.model_validate({"enabled": False, "mode": "forever"}).limited_config
        is None
    )
    with pytest.raises(ValidationError, match="limitedConfig is required"):
        PersistentConfig.model_validate({"enabled": True, "mode": "limited"})


@pytest.mark.parametrize("days", [1, 365])
def test_days_bounds_are_inclusive(days):
    assert PersistentConfig.model_validate(
        _config(limitedConfig={"startTimestamp": 1, "days": days})
    ).limited_config


@pytest.mark.parametrize("days", [0, 366, 1.0, "30", True, None])
def test_days_outside_1_to_365_or_not_an_integer_are_refused(days):
    with pytest.raises(ValidationError):
        PersistentConfig.model_validate(_config(limitedConfig={"startTimestamp": 1, "days": days}))


@given(st.one_of(st.integers(max_value=0), st.floats(), st.text(), st.booleans()))
def test_a_timestamp_is_only_a_positive_integer(value):
    with pytest.raises(ValidationError):
        PersistentConfig.model_validate(_config(lastWakeUpTimestamp=value))


@given(st.integers(min_value=1, max_value=2**53))
def test_any_positive_integer_is_a_timestamp(value):
    assert (
        PersistentConfig.model_validate(_config(lastWakeUpTimestamp=value)).last_wake_up_timestamp
        == value
    )


@pytest.mark.parametrize("amount", [-0.01, "1.5", True, float("nan"), float("inf"), 10**30])
def test_a_negative_non_numeric_or_unbounded_amount_is_refused(amount):
    with pytest.raises(ValidationError):
        PersistentConfig.model_validate(
            _config(lastCreditsCharge={"timestamp": 1, "amount": amount})
        )


@pytest.mark.parametrize("amount", [0, 0.0, 2, 0.2])
def test_zero_and_positive_amounts_are_accepted(amount):
    config = PersistentConfig.model_validate(
        _config(lastCreditsCharge={"timestamp": 1, "amount": amount})
    )
    assert config.last_credits_charge is not None
    assert config.last_credits_charge.amount == Decimal(str(amount))


@pytest.mark.parametrize("enabled", ["true", 1, None])
def test_enabled_is_a_json_boolean_only(enabled):
    with pytest.raises(ValidationError):
        PersistentConfig.model_validate(_config(enabled=enabled))


def _update(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "userEmail": "john@example.com",
        "customerId": "cust_123",
        "sandboxId": "sb_456",
        "persistantConfig": _config(),
    }
    body.update(changes)
    return body


@pytest.mark.parametrize("identifier", ["a", "A-b_9", "x" * 100])
def test_ids_of_letters_digits_underscores_and_dashes_are_accepted(identifier):
    update = ConfigUpdate.model_validate(_update(customerId=identifier, sandboxId=identifier))
    assert (update.customer_id, update.sandbox_id) == (identifier, identifier)


@pytest.mark.parametrize("identifier", ["", "x" * 101, "sb 1", "sb/1", "sb.1", "sé"])
@pytest.mark.parametrize("field", ["customerId", "sandboxId"])
def test_other_ids_are_refused(field, identifier):
    with pytest.raises(ValidationError):
        ConfigUpdate.model_validate(_update(**{field: identifier}))


@pytest.mark.parametrize("email", ["john", "john@", "@example.com", "john@@example.com", ""])
def test_an_email_that_is_not_one_is_refused(email):
    with pytest.raises(ValidationError):
        ConfigUpdate.model_validate(_update(userEmail=email))


@pytest.mark.parametrize(
    "body",
    [
        _update(extra=1),
        _update(persistantConfig=_config(extra=1)),
        _update(persistantConfig=_config(limitedConfig={"startTimestamp": 1, "days": 1, "x": 1})),
        _update(persistantConfig=_config(lastCreditsCharge={"timestamp": 1, "amount": 1, "x": 1})),
    ],
)
def test_unknown_fields_are_refused_at_every_level(body):
    with pytest.raises(ValidationError, match="Extra inputs"):
        ConfigUpdate.model_validate(body)


def _stored(email: str) -> StoredConfig:
    return StoredConfig(
        sandbox_id="sb_456",
        customer_id="cust_123",
        user_email=email,
        config=PersistentConfig.model_validate(_config()),
        version=1,
        updated_at="2026-01-30T16:55:00Z",
    )


def test_the_owner_is_recognised_whatever_the_case_of_the_email():
    assert _stored("John@Example.com").owned_by("john@example.com")
    assert not _stored("john@example.com").owned_by("jane@example.com")
