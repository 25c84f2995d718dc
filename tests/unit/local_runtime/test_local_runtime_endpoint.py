"""A runtime asked for any free port takes the previous runtime's port again when it can."""

from __future__ import annotations

import socket
from pathlib import Path

from local_runtime import LocalRuntime


def _runtime(template: Path) -> LocalRuntime:
    return LocalRuntime(template, create_demo_key=False, schedule_speed=0)


def test_a_restarted_runtime_serves_at_the_same_endpoint(fixture_template: Path) -> None:
    with _runtime(fixture_template) as first:
        before = first.endpoint
    with _runtime(fixture_template) as second:
        after = second.endpoint

    assert after == before


def test_a_runtime_takes_another_free_port_when_the_previous_one_is_taken(
    fixture_template: Path,
) -> None:
    with _runtime(fixture_template) as first:
        taken = first.port
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", taken))
        squatter.listen()
        with _runtime(fixture_template) as second:
            moved = second.port

    assert moved != taken


def test_an_explicit_port_is_used_and_not_remembered(fixture_template: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        chosen = probe.getsockname()[1]
    with _runtime(fixture_template) as free:
        remembered = free.port
    with LocalRuntime(fixture_template, port=chosen, create_demo_key=False, schedule_speed=0):
        pass
    with _runtime(fixture_template) as again:
        reused = again.port

    assert reused == remembered != chosen
