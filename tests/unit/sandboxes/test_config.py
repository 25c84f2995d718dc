"""A sandbox's configuration: defaults, bounds and validation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from sandbox_common.sandboxes.config import SandboxConfig


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
        {"default_accounts": 5001},
        {"default_transactions": -1},
        {"default_seed": -1},
        {"default_countries": []},
        {"default_countries": ["FR"]},
        {"faker_locale": "xx_XX"},
        {"aml_threshold": "0"},
        {"default_active_hours": {"start": "09:00", "end": "09:00"}},
        {"default_active_hours": {"start": "25:00", "end": "09:00"}},
        {"unknown": 1},
    ],
)
def test_invalid_settings_are_refused(fields):
    with pytest.raises(ValidationError):
        SandboxConfig.model_validate(fields)
