"""A key's last use is stamped when it authenticates, at most every few minutes, and a stamp
that fails never refuses the key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sandbox_common.errors import Conflict, UpstreamError
from sandbox_common.keys.authentication import (
    USE_RECORD_INTERVAL,
    authenticate,
    use_worth_recording,
)
from sandbox_common.keys.models import ApiKeyRecord
from sandbox_common.keys.secrets import digest

KEY = "sk_sandbox_" + "k" * 43
ISSUED = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


class InMemoryKeys:
    """Keys by hash, stamping uses as the repository does (only ever forward)."""

    def __init__(self, record: ApiKeyRecord, refuse_with: Exception | None = None) -> None:
        self.records = {record.key_hash: record}
        self.refuse_with = refuse_with

    def by_hash(self, key_hash: str) -> ApiKeyRecord | None:
        return self.records.get(key_hash)

    def record_use(self, record: ApiKeyRecord, at: datetime) -> None:
        if self.refuse_with is not None:
            raise self.refuse_with
        stored = self.records[record.key_hash]
        if stored.last_used_at is not None and stored.last_used_at >= at:
            raise Conflict("The key holds a later use")
        self.records[record.key_hash] = stored.model_copy(update={"last_used_at": at})


def make_record() -> ApiKeyRecord:
    return ApiKeyRecord(
        key_id="sbx_abcdefghijk",
        key_hash=digest(KEY),
        secret_hash="s",
        key_prefix="sk_sandbox_kkkk…",
        sandbox_id="sb_one",
        developer_name="Ada",
        developer_email="ada@example.com",
        permissions=["read"],
        tier="free",
        gateway_key_id="gw",
        created_at=ISSUED,
        expires_at=ISSUED + timedelta(days=90),
    )


def sign_in(keys: InMemoryKeys, at: datetime):
    return authenticate(KEY, keys=keys, bootstrap_admin_key=lambda: None, now=at)


def stamp(keys: InMemoryKeys) -> datetime | None:
    return keys.records[digest(KEY)].last_used_at


def test_a_never_used_key_is_worth_stamping():
    assert use_worth_recording(None, ISSUED) is True


def test_a_stamp_younger_than_the_interval_is_kept():
    assert use_worth_recording(ISSUED, ISSUED + USE_RECORD_INTERVAL - timedelta(seconds=1)) is False
    assert use_worth_recording(ISSUED, ISSUED + USE_RECORD_INTERVAL) is True


def test_the_first_use_is_stamped_and_later_ones_only_after_the_interval():
    keys = InMemoryKeys(make_record())
    first = ISSUED + timedelta(hours=1)

    assert sign_in(keys, first) is not None
    assert stamp(keys) == first
    assert sign_in(keys, first + timedelta(minutes=4)) is not None
    assert stamp(keys) == first
    assert sign_in(keys, first + timedelta(minutes=5)) is not None
    assert stamp(keys) == first + timedelta(minutes=5)


@pytest.mark.parametrize(
    "failure", [Conflict("a later use"), UpstreamError("DynamoDB is throttling")]
)
def test_a_stamp_that_fails_still_lets_the_key_in(failure):
    keys = InMemoryKeys(make_record(), refuse_with=failure)

    identity = sign_in(keys, ISSUED + timedelta(hours=1))

    assert identity is not None and identity.key_id == "sbx_abcdefghijk"
    assert stamp(keys) is None


def test_a_refused_key_is_never_stamped():
    keys = InMemoryKeys(make_record())

    assert sign_in(keys, ISSUED + timedelta(days=91)) is None  # expired

    assert stamp(keys) is None
