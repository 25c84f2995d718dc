"""``data_expiry()``: a persistent sandbox's items never expire, the others' do after the
retention period; what the request's sandbox is stays within the request's context."""

from __future__ import annotations

import contextvars
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from sandbox_common import providers
from sandbox_common.sandboxes.data_scope import data_expiry
from sandbox_common.storage.sandbox_items import KEPT_EXPIRY


@pytest.fixture(autouse=True)
def outside_any_request():
    providers.use_sandbox_retention(False)
    yield
    providers.use_sandbox_retention(False)
    # These tests read the settings without a stack's environment: forget them, so later
    # tests in this process read theirs.
    providers.reset()


def _days_from_now(epoch: int) -> float:
    return (epoch - datetime.now(UTC).timestamp()) / 86400


def test_outside_a_request_items_expire_after_the_retention_period():
    retention = providers.settings().data_retention_days

    assert providers.sandbox_data_kept() is False
    assert _days_from_now(data_expiry()) == pytest.approx(retention, abs=0.01)


def test_in_a_persistent_sandbox_items_never_expire():
    providers.use_sandbox_retention(True)

    assert data_expiry() == KEPT_EXPIRY


def test_a_record_needed_later_is_kept_a_retention_period_after_that():
    retention = providers.settings().data_retention_days

    expires = data_expiry(after=timedelta(days=200))

    assert _days_from_now(expires) == pytest.approx(200 + retention, abs=0.01)


def test_a_record_needed_later_in_a_persistent_sandbox_never_expires_either():
    providers.use_sandbox_retention(True)

    assert data_expiry(after=timedelta(days=365)) == KEPT_EXPIRY


def test_the_flag_passed_by_code_outside_a_request_wins_over_the_context():
    providers.use_sandbox_retention(False)
    assert data_expiry(kept=True) == KEPT_EXPIRY

    providers.use_sandbox_retention(True)
    assert data_expiry(kept=False) < KEPT_EXPIRY


def test_a_persistent_sandbox_in_one_request_context_does_not_leak_into_another():
    def request(persistent: bool) -> int:
        providers.use_sandbox_retention(persistent)
        return data_expiry()

    with ThreadPoolExecutor(max_workers=2) as pool:
        kept = pool.submit(contextvars.copy_context().run, request, True).result()
        other = pool.submit(contextvars.copy_context().run, request, False).result()

    assert kept == KEPT_EXPIRY
    assert other < KEPT_EXPIRY
    assert providers.sandbox_data_kept() is False
