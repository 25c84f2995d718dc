"""The JsonPath of the Amazon States Language, as far as the local runtime reads it.

Reference paths only: ``$`` (the whole input), ``$.a.b``, ``$.a[0]``, ``$['a b']``, and the
context object's ``$$.Execution.Name`` and the like. Filters, wildcards, slices and
intrinsic functions (``States.Format(...)``) are refused when the definition is loaded, so a
path that loads is a path the runtime evaluates exactly.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["JsonPath", "PathError", "PathNotFound", "PayloadTemplate"]

_STEP = re.compile(r"\.([^.\[\]\s'\"*@?()]+)|\[(\d+)\]|\['([^']+)'\]")


class PathError(ValueError):
    """A path the local runtime cannot read (said when the definition is loaded)."""


class PathNotFound(LookupError):
    """A path that names nothing in the data it is applied to (a States.Runtime error)."""


@dataclass(frozen=True)
class JsonPath:
    """A parsed reference path: which document (input or context) and the steps into it."""

    text: str
    steps: tuple[str | int, ...]
    context: bool = False

    @classmethod
    def parse(cls, text: str) -> JsonPath:
        """Parse ``text``; PathError when it is not a supported reference path."""
        if not isinstance(text, str) or not text.startswith("$"):
            raise PathError(f"{text!r} is not a path (a path starts with '$')")
        context = text.startswith("$$")
        rest = text[2:] if context else text[1:]
        steps: list[str | int] = []
        position = 0
        while position < len(rest):
            match = _STEP.match(rest, position)
            if match is None:
                raise PathError(
                    f"{text!r}: only '$', '.name', '[index]' and \"['name']\" steps are "
                    f"supported (at {rest[position:]!r})"
                )
            name, index, quoted = match.groups()
            steps.append(int(index) if index is not None else (name or quoted))
            position = match.end()
        return cls(text, tuple(steps), context)

    def get(self, data: Any, context: Any = None) -> Any:
        """The value the path names; PathNotFound when there is none."""
        value = context if self.context else data
        for step in self.steps:
            if isinstance(step, int):
                if not isinstance(value, list) or step >= len(value):
                    raise PathNotFound(f"{self.text}: no element [{step}]")
                value = value[step]
            else:
                if not isinstance(value, Mapping) or step not in value:
                    raise PathNotFound(f"{self.text}: no field {step!r}")
                value = value[step]
        return value

    def exists(self, data: Any, context: Any = None) -> bool:
        """Whether the path names a value (IsPresent)."""
        try:
            self.get(data, context)
        except PathNotFound:
            return False
        return True

    def put(self, data: Any, value: Any) -> Any:
        """``data`` with ``value`` at this path (a ResultPath): objects on the way are created.

        ``data`` is not changed; the answer shares nothing with it where it differs.
        """
        if self.context:
            raise PathError(f"{self.text}: a result cannot be written into the context object")
        if not self.steps:
            return value
        root = copy.deepcopy(data)
        if not isinstance(root, dict):
            raise PathNotFound(f"{self.text}: the state's input is not an object")
        target: Any = root
        for position, step in enumerate(self.steps):
            last = position == len(self.steps) - 1
            if isinstance(step, int):
                if not isinstance(target, list) or step >= len(target):
                    raise PathNotFound(f"{self.text}: no element [{step}] to write into")
                if last:
                    target[step] = value
                else:
                    target = target[step]
                continue
            if not isinstance(target, dict):
                raise PathNotFound(f"{self.text}: {step!r} is not inside an object")
            if last:
                target[step] = value
            else:
                if not isinstance(target.get(step), dict | list):
                    target[step] = {}
                target = target[step]
        return root


def _compile(where: str, value: Any) -> Any:
    if isinstance(value, dict):
        compiled: dict[str, Any] = {}
        for key, item in value.items():
            inner = f"{where}.{key}" if where else key
            if key.endswith(".$"):
                if isinstance(item, str) and item.startswith("States."):
                    raise PathError(
                        f"{inner}: intrinsic functions ({item.split('(')[0]}) are not "
                        "supported by the local runtime"
                    )
                try:
                    compiled[key[:-2]] = JsonPath.parse(item)
                except PathError as exc:
                    raise PathError(f"{inner}: {exc}") from exc
            else:
                compiled[key] = _compile(inner, item)
        return compiled
    if isinstance(value, list):
        return [_compile(f"{where}[{index}]", item) for index, item in enumerate(value)]
    return value


def _render(template: Any, data: Any, context: Any) -> Any:
    if isinstance(template, JsonPath):
        return copy.deepcopy(template.get(data, context))
    if isinstance(template, dict):
        return {key: _render(item, data, context) for key, item in template.items()}
    if isinstance(template, list):
        return [_render(item, data, context) for item in template]
    return template


@dataclass(frozen=True)
class PayloadTemplate:
    """A Parameters or ResultSelector object: keys ending in ``.$`` take a path's value."""

    compiled: Any

    @classmethod
    def parse(cls, where: str, value: Any) -> PayloadTemplate:
        """Compile ``value``; PathError (naming ``where``) for an unsupported path."""
        if not isinstance(value, dict):
            raise PathError(f"{where}: must be an object")
        return cls(_compile(where, value))

    def render(self, data: Any, context: Any = None) -> Any:
        """The object, its paths evaluated against ``data`` (and the context object)."""
        return _render(self.compiled, data, context)
