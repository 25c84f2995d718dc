"""Intrinsic functions and conditions."""

from __future__ import annotations

from typing import Any

import pytest

from local_runtime.intrinsics import NO_VALUE, Resolver, pseudo_parameters
from local_runtime.template import TemplateError


def resolver(
    conditions: dict[str, Any] | None = None, parameters: dict[str, Any] | None = None
) -> Resolver:
    refs = {"Table": "sandbox-platform-Table", "Plan": "plan123"}
    attrs = {("Table", "Arn"): "arn:aws:dynamodb:us-east-1:123456789012:table/t"}

    def ref(name: str) -> str:
        if name not in refs:
            raise TemplateError(f"unknown {name}")
        return refs[name]

    return Resolver(
        parameters={"Env": "prod", "Level": "INFO", **(parameters or {})},
        pseudo=pseudo_parameters("sandbox-platform", "us-east-1", "123456789012"),
        conditions=conditions or {},
        mappings={"Tiers": {"free": {"Rate": 10}}},
        ref=ref,
        get_att=lambda logical_id, attribute: attrs[(logical_id, attribute)],
    )


def test_ref_resolves_parameters_pseudo_parameters_and_resources() -> None:
    r = resolver()

    assert r.resolve({"Ref": "Env"}) == "prod"
    assert r.resolve({"Ref": "AWS::Region"}) == "us-east-1"
    assert r.resolve({"Ref": "AWS::AccountId"}) == "123456789012"
    assert r.resolve({"Ref": "AWS::StackName"}) == "sandbox-platform"
    assert r.resolve({"Ref": "AWS::Partition"}) == "aws"
    assert r.resolve({"Ref": "Table"}) == "sandbox-platform-Table"


def test_sub_substitutes_refs_attributes_variables_and_keeps_escapes() -> None:
    r = resolver()

    assert r.resolve({"Fn::Sub": '{"free": "${Plan}", "env": "${Env}"}'}) == (
        '{"free": "plan123", "env": "prod"}'
    )
    assert r.resolve({"Fn::Sub": "${Table.Arn}/index/*"}) == (
        "arn:aws:dynamodb:us-east-1:123456789012:table/t/index/*"
    )
    assert r.resolve({"Fn::Sub": ["${X}-${AWS::Region}", {"X": {"Ref": "Env"}}]}) == (
        "prod-us-east-1"
    )
    assert r.resolve({"Fn::Sub": "${!Literal}"}) == "${Literal}"


def test_join_select_split_find_in_map_base64() -> None:
    r = resolver()

    assert r.resolve({"Fn::Join": ["-", ["a", {"Ref": "Env"}]]}) == "a-prod"
    assert r.resolve({"Fn::Select": [1, {"Fn::Split": [",", "x,y,z"]}]}) == "y"
    assert r.resolve({"Fn::FindInMap": ["Tiers", "free", "Rate"]}) == 10
    assert r.resolve({"Fn::Base64": "hi"}) == "aGk="


def test_get_att_long_and_string_forms() -> None:
    r = resolver()

    assert r.resolve({"Fn::GetAtt": ["Table", "Arn"]}).endswith("table/t")
    assert r.resolve({"Fn::GetAtt": "Table.Arn"}).endswith("table/t")


def test_conditions_evaluate_equals_and_or_not_and_named_conditions() -> None:
    r = resolver(
        conditions={
            "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
            "IsDebug": {"Fn::Equals": [{"Ref": "Level"}, "DEBUG"]},
            "ProdNotDebug": {
                "Fn::And": [{"Condition": "IsProd"}, {"Fn::Not": [{"Condition": "IsDebug"}]}]
            },
            "Either": {"Fn::Or": [{"Condition": "IsDebug"}, {"Condition": "IsProd"}]},
        }
    )

    assert r.condition("IsProd") is True
    assert r.condition("IsDebug") is False
    assert r.condition("ProdNotDebug") is True
    assert r.condition("Either") is True


def test_if_with_no_value_removes_the_property_or_item() -> None:
    r = resolver(conditions={"Off": {"Fn::Equals": ["a", "b"]}})

    resolved = r.resolve(
        {
            "Keep": 1,
            "Drop": {"Fn::If": ["Off", "x", {"Ref": "AWS::NoValue"}]},
            "List": ["a", {"Fn::If": ["Off", "b", {"Ref": "AWS::NoValue"}]}],
        }
    )

    assert resolved == {"Keep": 1, "List": ["a"]}
    assert NO_VALUE not in resolved.values()


def test_unknown_condition_and_self_reference_are_errors() -> None:
    r = resolver(conditions={"Loop": {"Condition": "Loop"}})

    with pytest.raises(TemplateError, match="unknown condition"):
        r.condition("Nope")
    with pytest.raises(TemplateError, match="refers to itself"):
        r.condition("Loop")


def test_unsupported_function_is_a_clear_error() -> None:
    with pytest.raises(TemplateError, match="Fn::ImportValue is not supported"):
        resolver().resolve({"Fn::ImportValue": "other-stack-output"})
