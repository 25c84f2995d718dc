import pytest

from sandbox_common.compensation import Compensation


def test_failure_undoes_finished_steps_newest_first():
    undone: list[str] = []
    with pytest.raises(RuntimeError, match="step 3"), Compensation() as undo:
        undo.on_failure("one", lambda: undone.append("one"))
        undo.on_failure("two", lambda: undone.append("two"))
        raise RuntimeError("step 3")
    assert undone == ["two", "one"]


def test_success_undoes_nothing():
    undone: list[str] = []
    with Compensation() as undo:
        undo.on_failure("one", lambda: undone.append("one"))
    assert undone == []


def test_a_failing_undo_step_does_not_stop_the_others_or_hide_the_error():
    undone: list[str] = []

    def broken() -> None:
        raise OSError("gateway down")

    with pytest.raises(ValueError, match="original"), Compensation() as undo:
        undo.on_failure("one", lambda: undone.append("one"))
        undo.on_failure("broken", broken)
        raise ValueError("original")
    assert undone == ["one"]
