from datetime import UTC, datetime, timedelta, timezone

from sandbox_common.clock import FixedClock, SystemClock, isoformat


def test_isoformat_has_milliseconds_and_z_like_seed_001():
    moment = datetime(2024, 1, 1, 0, 0, 0, 123456, tzinfo=UTC)
    assert isoformat(moment) == "2024-01-01T00:00:00.123Z"


def test_isoformat_converts_to_utc():
    moment = datetime(2024, 1, 1, 2, 0, tzinfo=timezone(timedelta(hours=2)))
    assert isoformat(moment) == "2024-01-01T00:00:00.000Z"


def test_fixed_clock_moves_only_when_advanced():
    clock = FixedClock(datetime(2026, 1, 1, tzinfo=UTC))
    assert clock.now() == clock.now()
    clock.advance(90)
    assert clock.now() == datetime(2026, 1, 1, 0, 1, 30, tzinfo=UTC)


def test_system_clock_is_utc_aware():
    assert SystemClock().now().tzinfo is UTC
