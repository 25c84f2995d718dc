"""CloudFormation intrinsic functions and conditions, resolved against local resources."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from local_runtime.template import TemplateError

__all__ = ["NO_VALUE", "Resolver", "pseudo_parameters"]


class _NoValue:
    """`AWS::NoValue`: the property or list item it stands for is removed."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE: Final = _NoValue()

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def pseudo_parameters(stack_name: str, region: str, account_id: str) -> dict[str, Any]:
    """The pseudo parameters of a local stack."""
    return {
        "AWS::StackName": stack_name,
        "AWS::StackId": (
            f"arn:aws:cloudformation:{region}:{account_id}:stack/{stack_name}/"
            "00000000-0000-0000-0000-000000000000"
        ),
        "AWS::Region": region,
        "AWS::AccountId": account_id,
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
        "AWS::NotificationARNs": [],
        "AWS::NoValue": NO_VALUE,
    }


def _strip_no_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if v is not NO_VALUE}
    if isinstance(value, list):
        return [v for v in value if v is not NO_VALUE]
    return value


class Resolver:
    """Evaluates intrinsics; resource Refs and GetAtts are answered by the two callbacks."""

    def __init__(
        self,
        *,
        parameters: Mapping[str, Any],
        pseudo: Mapping[str, Any],
        conditions: Mapping[str, Any],
        mappings: Mapping[str, Any],
        ref: Callable[[str], Any],
        get_att: Callable[[str, str], Any],
    ) -> None:
        self._parameters = parameters
        self._pseudo = pseudo
        self._conditions = conditions
        self._mappings = mappings
        self._ref = ref
        self._get_att = get_att
        self._condition_values: dict[str, bool] = {}
        self._evaluating: set[str] = set()
        self._functions: dict[str, Callable[[Any], Any]] = {
            "Ref": self._fn_ref,
            "Condition": self.condition,
            "Fn::GetAtt": self._fn_get_att,
            "Fn::Sub": self._fn_sub,
            "Fn::Join": self._fn_join,
            "Fn::Select": self._fn_select,
            "Fn::Split": self._fn_split,
            "Fn::If": self._fn_if,
            "Fn::Equals": self._fn_equals,
            "Fn::And": lambda args: all(self._truth(a) for a in args),
            "Fn::Or": lambda args: any(self._truth(a) for a in args),
            "Fn::Not": lambda args: not self._truth(args[0]),
            "Fn::FindInMap": self._fn_find_in_map,
            "Fn::Base64": lambda arg: base64.b64encode(str(self.resolve(arg)).encode()).decode(),
            "Fn::GetAZs": lambda _arg: [f"{self._pseudo['AWS::Region']}{z}" for z in "abc"],
            "Fn::ToJsonString": lambda arg: json.dumps(self.resolve(arg), separators=(",", ":")),
            "Fn::Length": lambda arg: len(self.resolve(arg)),
        }

    # ---------------------------------------------------------------- public

    def resolve(self, value: Any) -> Any:
        """Resolve every intrinsic in ``value`` (a template fragment); returns plain data."""
        if isinstance(value, dict):
            if len(value) == 1:
                (key,) = value
                if key in self._functions:
                    return self._functions[key](value[key])
                if key.startswith("Fn::"):
                    raise TemplateError(f"{key} is not supported by the local runtime")
            return _strip_no_value({k: self.resolve(v) for k, v in value.items()})
        if isinstance(value, list):
            return _strip_no_value([self.resolve(v) for v in value])
        return value

    def condition(self, name: str) -> bool:
        """The value of a named condition of the template."""
        if name in self._condition_values:
            return self._condition_values[name]
        if name not in self._conditions:
            raise TemplateError(f"unknown condition {name}")
        if name in self._evaluating:
            raise TemplateError(f"condition {name} refers to itself")
        self._evaluating.add(name)
        try:
            value = self._truth(self._conditions[name])
        finally:
            self._evaluating.discard(name)
        self._condition_values[name] = value
        return value

    # ---------------------------------------------------------------- functions

    def _truth(self, expression: Any) -> bool:
        value = self.resolve(expression)
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise TemplateError(f"condition expression is not a boolean: {expression!r}")

    def _fn_ref(self, name: Any) -> Any:
        name = self.resolve(name)
        if name in self._pseudo:
            return self._pseudo[name]
        if name in self._parameters:
            return self._parameters[name]
        return self._ref(str(name))

    def _fn_get_att(self, args: Any) -> Any:
        if isinstance(args, str):
            logical_id, _, attribute = args.partition(".")
        else:
            logical_id, attribute = str(args[0]), str(self.resolve(args[1]))
        return self._get_att(logical_id, attribute)

    def _sub_variable(self, name: str, variables: Mapping[str, Any]) -> str:
        if name in variables:
            return str(variables[name])
        if name in self._pseudo or name in self._parameters or "." not in name:
            value = self._fn_ref(name)
        else:
            logical_id, _, attribute = name.partition(".")
            value = self._get_att(logical_id, attribute)
        if isinstance(value, list):
            return ",".join(str(v) for v in value)
        return str(value)

    def _fn_sub(self, args: Any) -> str:
        if isinstance(args, str):
            text, variables = args, {}
        else:
            text, variables = args[0], self.resolve(args[1] if len(args) > 1 else {})

        def replace(match: re.Match[str]) -> str:
            inner = match.group(1)
            if inner.startswith("!"):
                return "${" + inner[1:] + "}"  # `${!Literal}` escapes a substitution
            return self._sub_variable(inner.strip(), variables)

        return _SUB_VARIABLE.sub(replace, str(text))

    def _fn_join(self, args: Any) -> str:
        delimiter, items = args
        values = self.resolve(items)
        return str(delimiter).join(str(v) for v in values)

    def _fn_select(self, args: Any) -> Any:
        index, items = self.resolve(args[0]), self.resolve(args[1])
        try:
            return items[int(index)]
        except (IndexError, ValueError, TypeError) as exc:
            raise TemplateError(f"Fn::Select index {index!r} out of range") from exc

    def _fn_split(self, args: Any) -> list[str]:
        delimiter, text = args
        return str(self.resolve(text)).split(str(delimiter))

    def _fn_if(self, args: Any) -> Any:
        name, when_true, when_false = args
        return self.resolve(when_true if self.condition(str(name)) else when_false)

    def _fn_equals(self, args: Any) -> bool:
        left, right = (self.resolve(a) for a in args)
        return str(left) == str(right) if not isinstance(left, list | dict) else left == right

    def _fn_find_in_map(self, args: Any) -> Any:
        map_name, top, second = (self.resolve(a) for a in args[:3])
        try:
            return self._mappings[map_name][top][second]
        except KeyError as exc:
            if len(args) > 3 and isinstance(args[3], dict) and "DefaultValue" in args[3]:
                return self.resolve(args[3]["DefaultValue"])
            raise TemplateError(f"Fn::FindInMap: no {map_name}.{top}.{second}") from exc
