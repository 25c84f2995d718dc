"""SAM template loading: CloudFormation short-form YAML tags, parameters and SAM Globals."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = ["Resource", "Template", "TemplateError", "is_intrinsic", "load_yaml"]


class TemplateError(Exception):
    """The template cannot be served locally (invalid, or uses something unsupported)."""


# ---------------------------------------------------------------- YAML with CFN tags


class _CfnLoader(yaml.SafeLoader):
    """A SafeLoader that turns `!Ref x` into `{"Ref": x}` and `!Fn x` into `{"Fn::Fn": x}`."""


def _construct_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "Condition":
        return {"Condition": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        # The short form `!GetAtt A.B.C` splits on the first dot only.
        logical_id, _, attribute = value.partition(".")
        return {"Fn::GetAtt": [logical_id, attribute]}
    return {f"Fn::{tag_suffix}": value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


def load_yaml(text: str) -> dict[str, Any]:
    """Parse template text (YAML or JSON) with CloudFormation short-form tags."""
    data = yaml.load(text, Loader=_CfnLoader)
    if not isinstance(data, dict):
        raise TemplateError("template is not a mapping")
    return data


def is_intrinsic(value: Any) -> bool:
    """Whether ``value`` is an intrinsic function call (`{"Ref": …}`, `{"Fn::…": …}`)."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    (key,) = value
    return key in ("Ref", "Condition") or key.startswith("Fn::")


# ---------------------------------------------------------------- SAM Globals

# SAM Globals sections and the resource type each applies to.
_GLOBALS_TARGETS = {
    "Function": "AWS::Serverless::Function",
    "Api": "AWS::Serverless::Api",
    "HttpApi": "AWS::Serverless::HttpApi",
    "SimpleTable": "AWS::Serverless::SimpleTable",
    "StateMachine": "AWS::Serverless::StateMachine",
    "LayerVersion": "AWS::Serverless::LayerVersion",
}


def _merge_globals(global_value: Any, local_value: Any) -> Any:
    """SAM's merge: maps merge (local wins), lists append (globals first), scalars override."""
    if is_intrinsic(global_value) or is_intrinsic(local_value):
        return copy.deepcopy(local_value)
    if isinstance(global_value, dict) and isinstance(local_value, dict):
        merged = copy.deepcopy(global_value)
        for key, value in local_value.items():
            merged[key] = _merge_globals(merged[key], value) if key in merged else value
        return merged
    if isinstance(global_value, list) and isinstance(local_value, list):
        return copy.deepcopy(global_value) + copy.deepcopy(local_value)
    return copy.deepcopy(local_value)


# ---------------------------------------------------------------- model


@dataclass(frozen=True)
class Resource:
    """One template resource, Globals applied, intrinsics not yet resolved."""

    logical_id: str
    type: str
    properties: dict[str, Any]
    condition: str | None = None
    depends_on: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)


def _check_parameter(name: str, spec: Mapping[str, Any], value: str) -> None:
    allowed = spec.get("AllowedValues")
    if allowed is not None and value not in [str(v) for v in allowed]:
        raise TemplateError(f"parameter {name}: {value!r} is not one of {allowed}")
    pattern = spec.get("AllowedPattern")
    if pattern is not None and not re.fullmatch(str(pattern), value):
        raise TemplateError(f"parameter {name}: value does not match {pattern}")
    if "MinLength" in spec and len(value) < int(spec["MinLength"]):
        raise TemplateError(f"parameter {name}: shorter than {spec['MinLength']} characters")
    if "MaxLength" in spec and len(value) > int(spec["MaxLength"]):
        raise TemplateError(f"parameter {name}: longer than {spec['MaxLength']} characters")


class Template:
    """A parsed SAM template: parameter values, conditions, mappings and resources."""

    def __init__(
        self,
        document: Mapping[str, Any],
        path: Path | None = None,
        parameter_overrides: Mapping[str, str] | None = None,
    ) -> None:
        self.document = document
        self.path = path
        self.base_dir = path.parent if path else Path.cwd()
        self.conditions: dict[str, Any] = dict(document.get("Conditions") or {})
        self.mappings: dict[str, Any] = dict(document.get("Mappings") or {})
        self.outputs: dict[str, Any] = dict(document.get("Outputs") or {})
        self.parameters = self._parameter_values(parameter_overrides or {})
        self.resources = self._resources()

    @classmethod
    def from_file(
        cls, path: str | Path, parameter_overrides: Mapping[str, str] | None = None
    ) -> Template:
        """Load and parse a template file."""
        path = Path(path).resolve()
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise TemplateError(f"cannot read template {path}: {exc}") from exc
        try:
            document = load_yaml(text)
        except yaml.YAMLError as exc:
            raise TemplateError(f"{path}: invalid YAML: {exc}") from exc
        return cls(document, path, parameter_overrides)

    def _parameter_values(self, overrides: Mapping[str, str]) -> dict[str, Any]:
        specs: dict[str, Any] = dict(self.document.get("Parameters") or {})
        unknown = set(overrides) - set(specs)
        if unknown:
            raise TemplateError(f"unknown template parameters: {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {}
        for name, spec in specs.items():
            if name in overrides:
                raw = str(overrides[name])
            elif "Default" in spec:
                raw = str(spec["Default"])
            else:
                raise TemplateError(f"parameter {name} has no Default: pass a value for it")
            _check_parameter(name, spec, raw)
            kind = str(spec.get("Type", "String"))
            is_list = kind == "CommaDelimitedList" or kind.startswith("List<")
            values[name] = [item.strip() for item in raw.split(",")] if is_list else raw
        return values

    def _resources(self) -> dict[str, Resource]:
        raw_globals: dict[str, Any] = dict(self.document.get("Globals") or {})
        globals_by_type = {
            _GLOBALS_TARGETS[section]: props
            for section, props in raw_globals.items()
            if section in _GLOBALS_TARGETS
        }
        resources: dict[str, Resource] = {}
        for logical_id, body in (self.document.get("Resources") or {}).items():
            if not isinstance(body, dict) or "Type" not in body:
                raise TemplateError(f"resource {logical_id} has no Type")
            rtype = str(body["Type"])
            properties = dict(body.get("Properties") or {})
            if rtype in globals_by_type:
                properties = _merge_globals(globals_by_type[rtype], properties)
            depends = body.get("DependsOn") or ()
            resources[logical_id] = Resource(
                logical_id=logical_id,
                type=rtype,
                properties=properties,
                condition=body.get("Condition"),
                depends_on=(depends,) if isinstance(depends, str) else tuple(depends),
                metadata=dict(body.get("Metadata") or {}),
            )
        return resources

    def of_type(self, rtype: str) -> list[Resource]:
        """Resources of one type, in template order."""
        return [r for r in self.resources.values() if r.type == rtype]
