"""Through the authorizer and the keys handler on moto: a key's listing tells when it was last
used, and the stored stamp only ever moves forward."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sandbox_common import providers
from sandbox_common.clock import FixedClock
from sandbox_common.errors import Conflict
from sandbox_common.keys.secrets import digest


@pytest.fixture
def authorize(stack, lambda_function, sample_event, lambda_context):
    def call(api_key: str) -> dict:
        event = sample_event("authorizer/request.json")
        event["headers"] = {"x-api-key": api_key}
        event["multiValueHeaders"] = {"x-api-key": [api_key]}
        return lambda_function("authorizer").handler(event, lambda_context)

    return call


def shown(invoke, admin, key_id: str) -> dict:
    status, key, _ = invoke(
        "keys", "keys/get_key.json", caller=admin, path_parameters={"key_id": key_id}
    )
    assert status == 200, key
    return dict(key)


def test_a_key_shows_when_it_was_last_used(authorize, invoke, make_key, admin):
    created = make_key()
    assert shown(invoke, admin, created["key_id"])["last_used"] is None
    used_at = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
    providers.override_clock(FixedClock(used_at))
    try:
        result = authorize(created["api_key"])
    finally:
        providers.override_clock(None)

    assert result["policyDocument"]["Statement"][0]["Effect"] == "Allow"
    last_used = shown(invoke, admin, created["key_id"])["last_used"]
    assert datetime.fromisoformat(last_used) == used_at


def test_an_older_use_never_overwrites_a_later_one(stack, make_key):
    created = make_key()
    keys = providers.keys_repository()
    record = keys.by_hash(digest(created["api_key"]))
    assert record is not None
    later = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
    keys.record_use(record, later)

    with pytest.raises(Conflict):
        keys.record_use(record, later - timedelta(seconds=1))

    stored = keys.by_hash(record.key_hash)
    assert stored is not None and stored.last_used_at == later
