import pytest
from pydantic import ValidationError

from sandbox_common.config import Settings


def test_usage_plan_ids_are_parsed_from_json(monkeypatch):
    monkeypatch.setenv("USAGE_PLAN_IDS", '{"free": "p1", "pro": "p2"}')
    settings = Settings()
    assert settings.usage_plan_ids == {"free": "p1", "pro": "p2"}
    assert settings.tiers == ("free", "pro")


def test_empty_usage_plan_ids_mean_no_tiers(monkeypatch):
    monkeypatch.setenv("USAGE_PLAN_IDS", "")
    assert Settings().tiers == ()


def test_invalid_settings_fail_at_start(monkeypatch):
    monkeypatch.setenv("KEY_LIFETIME_DAYS", "0")
    with pytest.raises(ValidationError):
        Settings()
