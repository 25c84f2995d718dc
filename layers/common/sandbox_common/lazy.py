"""Process-wide values built on first use, once, even when many requests arrive at once.

``functools.lru_cache`` holds no lock while it calls the function: 100 concurrent first
requests in the local runtime each built their own boto3 resource (~25 s before the first
answers). Lambda serves one request at a time per process, so there the lock is never
contended and the first call costs what it did.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from functools import update_wrapper

__all__ = ["BuiltOnce", "built_once"]

# One lock for every build, re-entrant because factories call one another (a repository
# builds its table, which builds the resource). One lock rather than one per factory:
# boto3's default session is not thread-safe while it creates clients and resources, so
# two different factories must not build at the same time either.
_BUILD_LOCK = threading.RLock()


class BuiltOnce[**P, T]:
    """``factory`` memoised per arguments; a value is built by one caller, the others wait."""

    def __init__(self, factory: Callable[P, T]) -> None:
        self._factory = factory
        self._built: dict[Hashable, T] = {}
        update_wrapper(self, factory)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> T:
        key: Hashable = (args, tuple(sorted(kwargs.items()))) if kwargs else args
        try:
            return self._built[key]  # built already: no lock on the hot path
        except KeyError:
            pass
        with _BUILD_LOCK:
            if key not in self._built:
                self._built[key] = self._factory(*args, **kwargs)
            return self._built[key]

    def cache_clear(self) -> None:
        """Forget every value (tests point the environment elsewhere between cases)."""
        with _BUILD_LOCK:
            self._built.clear()


def built_once[**P, T](factory: Callable[P, T]) -> BuiltOnce[P, T]:
    """Decorator: build the factory's value once per arguments, under the shared build lock."""
    return BuiltOnce(factory)
