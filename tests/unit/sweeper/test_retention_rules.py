"""The retention changes' pure rules: which a run takes, when one is superseded, where its
walk resumes, the TTL it gives, its share of the budget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from sandbox_common.storage.sandbox_items import KEPT_EXPIRY, Kind
from sandbox_common.sweeper.models import RetentionChange, RetentionPosition
from sandbox_common.sweeper.rules import (
    RESTAMPED_KINDS,
    is_superseded,
    kinds_left,
    plan_retention,
    restamp_expiry,
    retention_share,
    walk_start,
)

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
GRACE = timedelta(seconds=30)


def make_change(
    sandbox_id: str = "sb_1",
    *,
    keep: bool = True,
    queued_ago: timedelta = timedelta(minutes=10),
    leased_for: timedelta | None = None,
    generation: str = "g1",
    position: RetentionPosition | None = None,
) -> RetentionChange:
    return RetentionChange(
        sandbox_id=sandbox_id,
        generation=generation,
        keep=keep,
        queued_at=NOW - queued_ago,
        position=position,
        leased_until=None if leased_for is None else NOW + leased_for,
    )


def test_changes_are_taken_oldest_first():
    newer = make_change("sb_a", queued_ago=timedelta(minutes=1))
    older = make_change("sb_b", queued_ago=timedelta(minutes=5))

    plan = plan_retention([newer, older], now=NOW, grace=GRACE)

    assert plan.take == [older, newer]


def test_a_change_within_the_grace_period_waits():
    fresh = make_change("sb_fresh", queued_ago=timedelta(seconds=29))
    due = make_change("sb_due", queued_ago=timedelta(seconds=30))

    plan = plan_retention([fresh, due], now=NOW, grace=GRACE)

    assert plan.take == [due]
    assert plan.busy == []


def test_a_change_leased_by_another_run_is_busy_until_its_lease_ends():
    held = make_change("sb_held", leased_for=timedelta(minutes=1))
    expired = make_change("sb_expired", leased_for=timedelta(seconds=-1))

    plan = plan_retention([held, expired], now=NOW, grace=GRACE)

    assert plan.take == [expired]
    assert plan.busy == [held]


def test_a_change_whose_flag_was_switched_back_is_superseded():
    assert is_superseded(make_change(keep=True), persistent=False)
    assert is_superseded(make_change(keep=False), persistent=True)


def test_a_change_that_still_matches_the_flag_applies():
    assert not is_superseded(make_change(keep=True), persistent=True)
    assert not is_superseded(make_change(keep=False), persistent=False)


def test_a_change_of_a_sandbox_that_is_gone_is_superseded():
    assert is_superseded(make_change(), persistent=None)


def test_a_saved_position_resumes_on_the_same_generation():
    position = RetentionPosition(kind=Kind.TRANSACTION.value, after={"pk": "p", "sk": "s"})

    assert walk_start(make_change(generation="g1", position=position), "g1") == position


def test_the_walk_starts_over_when_the_live_generation_moved_on():
    position = RetentionPosition(kind=Kind.TRANSACTION.value, after={"pk": "p", "sk": "s"})

    assert walk_start(make_change(generation="g1", position=position), "g2") is None


def test_a_fresh_walk_covers_every_kind_but_idempotency_records():
    kinds = kinds_left(None)

    assert Kind.IDEMPOTENCY not in kinds
    assert set(kinds) == set(Kind) - {Kind.IDEMPOTENCY}


@given(st.sampled_from(RESTAMPED_KINDS))
def test_a_walk_resumes_at_its_kind_and_skips_the_kinds_done(kind: Kind):
    left = kinds_left(RetentionPosition(kind=kind.value))

    assert left[0] is kind
    done = RESTAMPED_KINDS[: RESTAMPED_KINDS.index(kind)]
    assert not set(done) & set(left)
    assert list(done) + left == list(RESTAMPED_KINDS)


def test_a_position_on_a_kind_no_longer_known_starts_over():
    assert kinds_left(RetentionPosition(kind="retired-kind")) == list(RESTAMPED_KINDS)


def test_kept_items_never_expire():
    assert restamp_expiry(True, now=NOW, retention=timedelta(days=30)) == KEPT_EXPIRY
    assert datetime.fromtimestamp(KEPT_EXPIRY, UTC).year == 2200


def test_released_items_expire_a_retention_period_from_now():
    expires = restamp_expiry(False, now=NOW, retention=timedelta(days=30))

    assert expires == int((NOW + timedelta(days=30)).timestamp())


@given(st.integers(min_value=1, max_value=1_000_000))
def test_retention_takes_half_the_budget_rounded_up_and_leaves_the_rest(budget: int):
    share = retention_share(budget)

    assert share >= 1
    assert budget - share >= 0
    assert abs(share - (budget - share)) <= 1
