from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandbox_common.clock import FixedClock
from sandbox_common.errors import InvalidInput
from sandbox_common.sandboxes.sandbox_clock import (
    LATEST_SANDBOX_TIME,
    MAX_MOVE_SECONDS,
    ClockAhead,
    SandboxClock,
    sandbox_time,
)

WALL = datetime(2026, 1, 30, 16, 55, tzinfo=UTC)
YEAR = MAX_MOVE_SECONDS


def test_default_clock_shows_wall_time():
    assert SandboxClock().now(WALL) == WALL
    assert not SandboxClock().frozen


def test_running_clock_is_wall_time_plus_its_offset():
    clock = SandboxClock().advance(90, WALL)
    assert clock.now(WALL) == WALL + timedelta(seconds=90)
    assert clock.now(WALL + timedelta(hours=1)) == WALL + timedelta(hours=1, seconds=90)


def test_frozen_clock_stands_still_whatever_the_wall_time():
    clock = SandboxClock().freeze(WALL)
    assert clock.frozen
    assert clock.now(WALL + timedelta(days=3)) == WALL


def test_freeze_at_a_later_instant_jumps_there():
    at = WALL + timedelta(days=2)
    assert SandboxClock().freeze(WALL, at).now(WALL) == at


def test_freeze_reads_any_timezone_as_the_same_instant():
    at = datetime(2026, 2, 1, 2, 0, tzinfo=timezone(timedelta(hours=2)))
    assert SandboxClock().freeze(WALL, at).frozen_at == datetime(2026, 2, 1, tzinfo=UTC)


def test_freeze_earlier_than_now_is_refused():
    with pytest.raises(InvalidInput, match="never moves backwards"):
        SandboxClock().freeze(WALL, WALL - timedelta(seconds=1))


def test_freeze_within_the_current_millisecond_freezes_at_now():
    # Clients read now at millisecond resolution; freezing at what they read must work.
    wall = WALL + timedelta(microseconds=1500)
    shown = WALL + timedelta(milliseconds=1)
    assert SandboxClock().freeze(wall, shown).frozen_at == wall


def test_freeze_more_than_a_year_ahead_is_refused():
    with pytest.raises(InvalidInput, match="at most a year"):
        SandboxClock().freeze(WALL, WALL + timedelta(days=366))


def test_advance_moves_a_frozen_clock_and_keeps_it_frozen():
    clock = SandboxClock().freeze(WALL).advance(3600, WALL)
    assert clock.frozen
    assert clock.now(WALL + timedelta(days=1)) == WALL + timedelta(hours=1)


@pytest.mark.parametrize("seconds", [0, -1, -0.5, YEAR + 1, float("inf"), float("nan")])
def test_advance_by_nothing_backwards_or_past_a_year_is_refused(seconds):
    with pytest.raises(InvalidInput):
        SandboxClock().advance(seconds, WALL)


@pytest.mark.parametrize("seconds", [True, "10", None])
def test_advance_by_a_non_number_is_refused(seconds):
    with pytest.raises(InvalidInput, match="must be a number"):
        SandboxClock().advance(seconds, WALL)


def test_advance_by_exactly_a_year_is_allowed():
    assert SandboxClock().advance(YEAR, WALL).now(WALL) == WALL + timedelta(days=365)


def test_clock_cannot_pass_the_latest_sandbox_time():
    near_end = SandboxClock().freeze(
        LATEST_SANDBOX_TIME - timedelta(days=1), LATEST_SANDBOX_TIME - timedelta(hours=1)
    )
    with pytest.raises(InvalidInput, match="cannot reach"):
        near_end.advance(7200, LATEST_SANDBOX_TIME - timedelta(days=1))


def test_reset_returns_a_frozen_clock_that_wall_time_passed_to_wall_time():
    clock = SandboxClock().freeze(WALL)
    later = WALL + timedelta(minutes=5)
    assert clock.reset(later) == SandboxClock()


def test_reset_of_a_clock_ahead_of_wall_time_is_refused_with_clock_ahead():
    clock = SandboxClock().advance(60, WALL)
    with pytest.raises(ClockAhead, match="data reset") as refused:
        clock.reset(WALL)
    assert refused.value.code == "clock_ahead"
    assert refused.value.status_code == 409


def test_wall_time_of_a_running_clock_subtracts_its_offset():
    clock = SandboxClock().advance(600, WALL)
    assert clock.wall_time_of(WALL + timedelta(minutes=30), WALL) == WALL + timedelta(minutes=20)


def test_wall_time_of_a_frozen_clock_is_now_if_reached_and_never_otherwise():
    clock = SandboxClock().freeze(WALL)
    later_wall = WALL + timedelta(hours=2)
    assert clock.wall_time_of(WALL - timedelta(hours=1), later_wall) == later_wall
    assert clock.wall_time_of(WALL, later_wall) == later_wall
    assert clock.wall_time_of(WALL + timedelta(seconds=1), later_wall) is None


def test_sandbox_time_reads_the_wall_clock_on_every_call():
    wall = FixedClock(WALL)
    reader = sandbox_time(SandboxClock().advance(10, WALL), wall)
    wall.advance(5)
    assert reader.now() == WALL + timedelta(seconds=15)


def test_clock_survives_a_json_round_trip():
    clock = SandboxClock().freeze(WALL, WALL + timedelta(microseconds=123456))
    assert SandboxClock.model_validate(clock.model_dump(mode="json")) == clock


# --- properties -------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
)
steps = st.floats(min_value=-10.0, max_value=YEAR * 1.1, allow_nan=False, allow_infinity=False)
moves = st.lists(
    st.tuples(
        st.sampled_from(["freeze", "freeze_at", "advance", "reset", "wait"]),
        steps,
        st.floats(min_value=0, max_value=YEAR / 2, allow_nan=False),
    ),
    max_size=25,
)


@given(start=instants, sequence=moves)
def test_clock_never_moves_backwards_whatever_the_moves(start, sequence):
    clock, wall = SandboxClock(), start
    shown = clock.now(wall)
    for move, amount, wait in sequence:
        wall += timedelta(seconds=wait)  # wall time only ever moves on
        try:
            if move == "freeze":
                clock = clock.freeze(wall)
            elif move == "freeze_at":
                clock = clock.freeze(wall, clock.now(wall) + timedelta(seconds=amount))
            elif move == "advance":
                clock = clock.advance(amount, wall)
            elif move == "reset":
                clock = clock.reset(wall)
        except (InvalidInput, ClockAhead):
            pass  # a refused move changes nothing
        now = clock.now(wall)
        assert now >= shown
        assert now < LATEST_SANDBOX_TIME
        shown = now


@given(
    wall=instants,
    offset=st.floats(min_value=0.000001, max_value=YEAR, allow_nan=False),
    later=st.floats(min_value=-YEAR, max_value=YEAR, allow_nan=False),
)
def test_wall_time_of_inverts_now_on_a_running_clock(wall, offset, later):
    clock = SandboxClock().advance(offset, wall)
    instant = clock.now(wall) + timedelta(seconds=later)
    at_wall = clock.wall_time_of(instant, wall)
    assert at_wall is not None
    assert clock.now(at_wall) == instant


@given(wall=instants, ahead=st.floats(min_value=0, max_value=YEAR, allow_nan=False))
def test_frozen_clock_shows_an_instant_reached_from_the_wall_time_of_it(wall, ahead):
    clock = SandboxClock().freeze(wall, wall + timedelta(seconds=ahead))
    reached = clock.wall_time_of(clock.now(wall), wall)
    assert reached is not None
    assert clock.now(reached) == clock.now(wall)
