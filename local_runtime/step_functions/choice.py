"""Choice rules: parsed once (unknown comparators refused), evaluated against a state input."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from local_runtime.step_functions.paths import JsonPath, PathError

__all__ = ["ChoiceRule", "parse_choice_rule", "parse_timestamp"]

_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": lambda a, b: a == b,
    "LessThan": lambda a, b: a < b,
    "GreaterThan": lambda a, b: a > b,
    "LessThanEquals": lambda a, b: a <= b,
    "GreaterThanEquals": lambda a, b: a >= b,
}
_KINDS = ("String", "Numeric", "Timestamp")
COMPARISONS = frozenset(
    {f"{kind}{order}" for kind in _KINDS for order in _ORDER} | {"BooleanEquals", "StringMatches"}
)
TYPE_TESTS = frozenset({"IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"})
_RULE_KEYS = frozenset({"Variable", "Next", "Comment", "And", "Or", "Not"})

# RFC 3339 as Step Functions accepts it: an uppercase T, and Z or an offset.
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def parse_timestamp(value: Any) -> datetime | None:
    """``value`` as an aware datetime when it is an ASL timestamp, else None."""
    if not isinstance(value, str) or not _TIMESTAMP.match(value):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _wildcard(pattern: str) -> re.Pattern[str]:
    """StringMatches: ``*`` matches any run of characters, ``\\*`` a literal star."""
    parts: list[str] = []
    position = 0
    while position < len(pattern):
        char = pattern[position]
        if char == "\\" and position + 1 < len(pattern):
            parts.append(re.escape(pattern[position + 1]))
            position += 2
            continue
        parts.append(".*" if char == "*" else re.escape(char))
        position += 1
    return re.compile("".join(parts), re.DOTALL)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True)
class ChoiceRule:
    """One rule: a comparison, a type test, or And/Or/Not of rules; ``next`` at the top level."""

    comparator: str
    variable: JsonPath | None = None
    operand: Any = None
    operand_path: JsonPath | None = None
    rules: tuple[ChoiceRule, ...] = ()
    next: str | None = None

    def matches(self, data: Any, context: Any = None) -> bool:
        """Whether the rule holds for ``data``; PathNotFound when a *Path operand is missing."""
        if self.comparator == "And":
            return all(rule.matches(data, context) for rule in self.rules)
        if self.comparator == "Or":
            return any(rule.matches(data, context) for rule in self.rules)
        if self.comparator == "Not":
            return not self.rules[0].matches(data, context)
        assert self.variable is not None
        if self.comparator == "IsPresent":
            return self.variable.exists(data, context) is bool(self.operand)
        value = self.variable.get(data, context)
        if self.comparator in TYPE_TESTS:
            return _type_test(self.comparator, value) is bool(self.operand)
        operand = (
            self.operand_path.get(data, context) if self.operand_path is not None else self.operand
        )
        return _compare(self.comparator, value, operand)


def _type_test(test: str, value: Any) -> bool:
    if test == "IsNull":
        return value is None
    if test == "IsNumeric":
        return _is_number(value)
    if test == "IsString":
        return isinstance(value, str)
    if test == "IsBoolean":
        return isinstance(value, bool)
    return parse_timestamp(value) is not None  # IsTimestamp


def _compare(comparator: str, value: Any, operand: Any) -> bool:
    # A value of the wrong type makes a comparison false, as in Step Functions.
    if comparator == "BooleanEquals":
        return isinstance(value, bool) and isinstance(operand, bool) and value is operand
    if comparator == "StringMatches":
        return (
            isinstance(value, str)
            and isinstance(operand, str)
            and _wildcard(operand).fullmatch(value) is not None
        )
    kind = next(k for k in _KINDS if comparator.startswith(k))
    order = _ORDER[comparator[len(kind) :]]
    if kind == "String":
        return isinstance(value, str) and isinstance(operand, str) and order(value, operand)
    if kind == "Numeric":
        return _is_number(value) and _is_number(operand) and order(value, operand)
    left, right = parse_timestamp(value), parse_timestamp(operand)
    return left is not None and right is not None and order(left, right)


def _path(where: str, text: Any) -> JsonPath:
    try:
        return JsonPath.parse(text)
    except PathError as exc:
        raise PathError(f"{where}: {exc}") from exc


def parse_choice_rule(where: str, raw: Any, *, top_level: bool) -> ChoiceRule:
    """A rule from its JSON; PathError (naming ``where`` and the field) when unsupported."""
    if not isinstance(raw, Mapping):
        raise PathError(f"{where}: a choice rule must be an object")
    comparators = [key for key in raw if key not in _RULE_KEYS]
    unknown = [
        key
        for key in comparators
        if key not in COMPARISONS | TYPE_TESTS and key.removesuffix("Path") not in COMPARISONS
    ]
    if unknown:
        raise PathError(f"{where}: field {unknown[0]!r} is not supported by the local runtime")
    combinators = [key for key in ("And", "Or", "Not") if key in raw]
    if len(comparators) + len(combinators) != 1:
        raise PathError(f"{where}: a choice rule has exactly one comparison, And, Or or Not")
    if top_level and not isinstance(raw.get("Next"), str):
        raise PathError(f"{where}: a top-level choice rule needs a Next")
    if not top_level and "Next" in raw:
        raise PathError(f"{where}: only top-level choice rules have a Next")
    following = raw.get("Next") if top_level else None
    if combinators:
        name = combinators[0]
        if "Variable" in raw:
            raise PathError(f"{where}: {name} takes no Variable")
        inner: tuple[ChoiceRule, ...]
        if name == "Not":
            inner = (parse_choice_rule(f"{where}.Not", raw["Not"], top_level=False),)
        else:
            items = raw[name]
            if not isinstance(items, list) or not items:
                raise PathError(f"{where}.{name}: must be a non-empty list of rules")
            inner = tuple(
                parse_choice_rule(f"{where}.{name}[{i}]", item, top_level=False)
                for i, item in enumerate(items)
            )
        return ChoiceRule(comparator=name, rules=inner, next=following)
    if "Variable" not in raw:
        raise PathError(f"{where}: a comparison needs a Variable")
    variable = _path(f"{where}.Variable", raw["Variable"])
    name = comparators[0]
    operand = raw[name]
    if name in TYPE_TESTS:
        if not isinstance(operand, bool):
            raise PathError(f"{where}.{name}: must be true or false")
        return ChoiceRule(name, variable, operand=operand, next=following)
    if name.endswith("Path") and name not in COMPARISONS:
        return ChoiceRule(
            name.removesuffix("Path"),
            variable,
            operand_path=_path(f"{where}.{name}", operand),
            next=following,
        )
    _check_operand(f"{where}.{name}", name, operand)
    return ChoiceRule(name, variable, operand=operand, next=following)


def _check_operand(where: str, comparator: str, operand: Any) -> None:
    if comparator == "BooleanEquals":
        ok = isinstance(operand, bool)
    elif comparator.startswith("Numeric"):
        ok = _is_number(operand)
    elif comparator.startswith("Timestamp"):
        ok = parse_timestamp(operand) is not None
    else:
        ok = isinstance(operand, str)
    if not ok:
        raise PathError(f"{where}: {operand!r} is not a valid operand")
