"""Shared fixtures of the local runtime's tests: a controllable clock and the fixture template."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from local_runtime import moto_tuning

FIXTURES = Path(__file__).parent / "fixtures"


class FakeClock:
    """A clock tests move by hand (epoch seconds)."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock at 2027-01-15 08:00:00 UTC."""
    return FakeClock()


@pytest.fixture(scope="module")
def module_clock() -> FakeClock:
    """A fake clock shared by the tests of one module (for module-scoped runtimes)."""
    return FakeClock()


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """The directory of the fixture template and its toy functions."""
    return FIXTURES


@pytest.fixture(scope="session")
def fixture_template(fixtures_dir: Path) -> Path:
    """The fixture SAM template."""
    return fixtures_dir / "template.yaml"


@pytest.fixture
def moto_tuning_restored() -> Iterator[None]:
    """Put moto's tuning back as it was (on or off) after a test that switches it."""
    was_applied = moto_tuning.applied()
    yield
    if was_applied:
        moto_tuning.apply()
    else:
        moto_tuning.revert()
