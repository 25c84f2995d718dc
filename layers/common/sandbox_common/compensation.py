"""Undoing the finished steps of an operation that failed half-way.

Creating a key touches API Gateway and DynamoDB, which share no transaction; each step
registers how to undo itself, and a failure undoes them newest first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import TracebackType

_log = logging.getLogger(__name__)


class Compensation:
    """Context manager: on an exception, run the registered undo steps in reverse order."""

    def __init__(self) -> None:
        self._undo: list[tuple[str, Callable[[], None]]] = []

    def __enter__(self) -> Compensation:
        return self

    def on_failure(self, description: str, undo: Callable[[], None]) -> None:
        """Register how to undo the step that just succeeded."""
        self._undo.append((description, undo))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc is None:
            return
        for description, undo in reversed(self._undo):
            try:
                undo()
            except Exception:
                # Keep undoing the rest; the original error is what the caller must see.
                _log.exception("compensation step failed: %s", description)
