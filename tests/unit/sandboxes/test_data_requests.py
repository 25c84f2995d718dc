"""Initialize and reset requests: the bounds they accept are exactly what can be generated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from sandbox_common.inputs import ANCHOR_EARLIEST, LATEST_INSTANT
from sandbox_common.mockdata.generator import GenerationRequest, generate
from sandbox_common.sandboxes.config import MIN_ACCOUNTS, SandboxConfig
from sandbox_common.sandboxes.data import InitializeRequest, ResetRequest


@pytest.mark.parametrize(
    "body",
    [
        {"accounts": 1},
        {"accounts": 0},
        {"accounts": True},
        {"seed": False},
        {"transactions": True},
        {"compliance_records": False},
        {"anchor": "0001-01-01T00:00:00Z"},
        {"anchor": "0001-01-01T00:00:00+14:00"},
        {"anchor": "9999-12-31T23:59:59-14:00"},
        {"anchor": "1999-12-31T00:00:00Z"},
        {"anchor": "2100-01-01T00:00:00Z"},
        {"anchor": 1_700_000_000},
        {"anchor": "2026-01-15T12:00:00"},
    ],
)
def test_initialize_refuses_what_cannot_be_generated_or_is_not_what_it_seems(body):
    with pytest.raises(ValidationError):
        InitializeRequest.model_validate(body)


@pytest.mark.parametrize("body", [{"seed": True}, {"seed": False}, {"seed": -1}])
def test_reset_refuses_a_boolean_or_negative_seed(body):
    with pytest.raises(ValidationError):
        ResetRequest.model_validate(body)


def test_initialize_and_config_share_the_account_bounds():
    for model, field in ((InitializeRequest, "accounts"), (SandboxConfig, "default_accounts")):
        with pytest.raises(ValidationError):
            model.model_validate({field: MIN_ACCOUNTS - 1})
        assert getattr(model.model_validate({field: MIN_ACCOUNTS}), field) == MIN_ACCOUNTS


_anchors = st.datetimes(
    min_value=ANCHOR_EARLIEST.replace(tzinfo=None) + timedelta(days=1),
    max_value=LATEST_INSTANT.replace(tzinfo=None) - timedelta(days=1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=14)), timezone(-timedelta(hours=12))]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    accounts=st.integers(MIN_ACCOUNTS, 6),
    transactions=st.integers(0, 40),
    compliance_records=st.integers(0, 10),
    seed=st.integers(0, 2**63 - 1),
    anchor=_anchors,
)
def test_every_accepted_initialize_can_be_generated(
    accounts, transactions, compliance_records, seed, anchor
):
    # The smallest sizes and the extreme anchors are the edges the bounds must be true at.
    request = InitializeRequest.model_validate(
        {
            "accounts": accounts,
            "transactions": transactions,
            "compliance_records": compliance_records,
            "seed": seed,
            "anchor": anchor.isoformat(),
        }
    )
    assert request.anchor is not None and request.seed is not None
    data = generate(
        GenerationRequest(
            seed=request.seed,
            anchor=request.anchor,
            accounts=accounts,
            transactions=transactions,
            compliance_records=compliance_records,
        )
    )
    assert (len(data.accounts), len(data.transactions)) == (accounts, transactions)
    assert all(t.created_at <= request.anchor for t in data.transactions)


def test_the_config_defaults_alone_can_be_generated_at_the_smallest_size():
    config = SandboxConfig(default_accounts=MIN_ACCOUNTS)
    data = generate(
        GenerationRequest(
            seed=1,
            anchor=datetime(2026, 1, 15, tzinfo=UTC),
            accounts=config.default_accounts,
            transactions=config.default_transactions,
            compliance_records=config.default_compliance_records,
        )
    )
    assert len(data.transactions) == config.default_transactions
