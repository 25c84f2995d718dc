"""The sweep's pure rules: which markers a run takes, the live guard, the budget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from sandbox_common.sweeper.models import RetiredGeneration
from sandbox_common.sweeper.rules import PAGE_SIZE, Budget, is_live, plan_sweep

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
GRACE = timedelta(seconds=60)


def make_marker(
    generation: str = "g1",
    *,
    retired_ago: timedelta = timedelta(minutes=10),
    leased_for: timedelta | None = None,
    sandbox_id: str = "sb_1",
) -> RetiredGeneration:
    return RetiredGeneration(
        sandbox_id=sandbox_id,
        generation=generation,
        retired_at=NOW - retired_ago,
        leased_until=None if leased_for is None else NOW + leased_for,
    )


def test_markers_are_taken_oldest_first():
    newer = make_marker("g2", retired_ago=timedelta(minutes=5))
    older = make_marker("g1", retired_ago=timedelta(minutes=9))

    plan = plan_sweep([newer, older], now=NOW, grace=GRACE)

    assert plan.take == [older, newer]


def test_a_generation_retired_within_the_grace_period_is_not_taken():
    fresh = make_marker("g-fresh", retired_ago=timedelta(seconds=59))
    due = make_marker("g-due", retired_ago=timedelta(seconds=60))

    plan = plan_sweep([fresh, due], now=NOW, grace=GRACE)

    assert plan.take == [due]
    assert plan.busy == []


def test_a_marker_leased_by_another_run_is_busy_until_its_lease_ends():
    held = make_marker("g-held", leased_for=timedelta(minutes=1))
    expired = make_marker("g-expired", leased_for=timedelta(seconds=-1))

    plan = plan_sweep([held, expired], now=NOW, grace=GRACE)

    assert plan.take == [expired]
    assert plan.busy == [held]


def test_the_live_generation_is_recognised():
    marker = make_marker("g7")

    assert is_live(marker, "g7")
    assert not is_live(marker, "g8")
    assert not is_live(marker, None)  # the sandbox is gone: nothing of it is live


def test_a_budget_hands_out_pages_of_at_most_page_size():
    budget = Budget(PAGE_SIZE + 3)

    assert budget.page() == PAGE_SIZE
    budget.spend(PAGE_SIZE)
    assert budget.page() == 3
    budget.spend(3)
    assert budget.exhausted and budget.page() == 0


@given(
    total=st.integers(min_value=0, max_value=5_000),
    partition_sizes=st.lists(st.integers(min_value=0, max_value=2_000), max_size=10),
)
def test_spending_pages_never_deletes_more_than_the_budget(total, partition_sizes):
    budget = Budget(total)
    deleted = 0
    for size in partition_sizes:
        left = size
        while left and not budget.exhausted:
            taken = min(left, budget.page())
            budget.spend(taken)
            deleted += taken
            left -= taken
    assert deleted <= total
    assert deleted == min(total, sum(partition_sizes))
