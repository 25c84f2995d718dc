"""Values built once per process, even when many first calls arrive together."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sandbox_common.lazy import built_once

CALLERS = 32


def test_concurrent_first_calls_build_one_value_and_all_get_it():
    builds = []
    all_waiting = threading.Barrier(CALLERS)

    @built_once
    def resource() -> object:
        builds.append(threading.current_thread().name)
        return object()

    def first_call(_: int) -> object:
        all_waiting.wait()  # every caller asks at the same moment
        return resource()

    with ThreadPoolExecutor(max_workers=CALLERS) as pool:
        values = list(pool.map(first_call, range(CALLERS)))

    assert len(builds) == 1
    assert all(value is values[0] for value in values)


def test_values_are_kept_per_argument_and_forgotten_on_clear():
    built = []

    @built_once
    def table(name: str) -> tuple[str, int]:
        built.append(name)
        return (name, len(built))

    assert table("a") is table("a")
    assert table("b") == ("b", 2)
    table.cache_clear()
    assert table("a") == ("a", 3)
    assert built == ["a", "b", "a"]


def test_a_factory_may_build_another_while_building():
    @built_once
    def inner() -> str:
        return "inner"

    @built_once
    def outer() -> str:
        return inner() + "+outer"  # the shared build lock is re-entrant

    assert outer() == "inner+outer"


def test_a_failed_build_is_not_kept():
    attempts = []

    @built_once
    def flaky() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise ConnectionError("first try fails")
        return "ok"

    try:
        flaky()
    except ConnectionError:
        pass
    assert flaky() == "ok"
    assert len(attempts) == 2
