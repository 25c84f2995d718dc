"""A sandbox's configuration: defaults, bounds and validation."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from sandbox_common.sandboxes.config import SandboxConfig
from sandbox_common.sandboxes.models import Sandbox


def test_defaults_match_seed_000():
    config = SandboxConfig()
    assert (config.default_accounts, config.default_transactions) == (100, 500)
    assert config.default_compliance_records == 50
    assert config.default_countries == ("NG", "KE", "ZA", "GH", "UG")
    assert config.aml_threshold == Decimal("10000")
    assert config.default_active_hours.model_dump(mode="json") == {
        "start": "09:00:00",
        "end": "17:00:00",
    }


def test_a_stored_config_reads_back_equal():
    config = SandboxConfig(default_countries=("ke", "tz", "KE"), faker_locale="sw")
    assert config.default_countries == ("KE", "TZ")
    assert SandboxConfig.model_validate(config.model_dump(mode="json")) == config


@pytest.mark.parametrize(
    "fields",
    [
        {"default_accounts": 0},
        {"default_accounts": 1},  # a transaction needs two accounts
        {"default_accounts": 5001},
        {"default_accounts": True},
        {"default_transactions": False},
        {"default_compliance_records": True},
        {"default_seed": False},
        {"default_transactions": -1},
        {"default_seed": -1},
        {"default_countries": []},
        {"default_countries": ["FR"]},
        {"faker_locale": "xx_XX"},
        {"aml_threshold": "0"},
        {"default_active_hours": {"start": "09:00", "end": "09:00"}},
        {"default_active_hours": {"start": "25:00", "end": "09:00"}},
        {"default_active_hours": {"start": 3600, "end": "17:00"}},
        {"unknown": 1},
    ],
)
def test_invalid_settings_are_refused(fields):
    with pytest.raises(ValidationError):
        SandboxConfig.model_validate(fields)


def test_a_stored_setting_that_todays_bounds_refuse_takes_its_default():
    # Saved while one default account was accepted: reading it must not fail (every
    # initialize, transfer and config read goes through it); the other settings stay.
    sandbox = Sandbox(
        sandbox_id="sb-legacy",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        config={"default_accounts": 1, "aml_threshold": "5000", "default_seed": 9},
    )
    settings = sandbox.settings
    assert settings.default_accounts == SandboxConfig().default_accounts
    assert (settings.aml_threshold, settings.default_seed) == (Decimal("5000"), 9)
