"""Template loading: CloudFormation short-form tags, parameters and SAM Globals."""

from __future__ import annotations

from pathlib import Path

import pytest

from local_runtime.template import Template, TemplateError, load_yaml

ADMIN = "sk_sandbox_" + "a" * 32


def test_short_form_tags_become_long_form_intrinsics() -> None:
    document = load_yaml(
        """
        A: !Ref Thing
        B: !GetAtt Table.Arn
        C: !GetAtt [Table, StreamArn]
        D: !Sub "${AWS::StackName}-x"
        E: !Join [",", [a, !Ref B]]
        F: !If [Cond, 1, 2]
        G: !Condition Cond
        H: !Equals [a, b]
        I: !FindInMap [M, k, v]
        J: !Select [0, !Split [",", "a,b"]]
        """
    )

    assert document == {
        "A": {"Ref": "Thing"},
        "B": {"Fn::GetAtt": ["Table", "Arn"]},
        "C": {"Fn::GetAtt": ["Table", "StreamArn"]},
        "D": {"Fn::Sub": "${AWS::StackName}-x"},
        "E": {"Fn::Join": [",", ["a", {"Ref": "B"}]]},
        "F": {"Fn::If": ["Cond", 1, 2]},
        "G": {"Condition": "Cond"},
        "H": {"Fn::Equals": ["a", "b"]},
        "I": {"Fn::FindInMap": ["M", "k", "v"]},
        "J": {"Fn::Select": [0, {"Fn::Split": [",", "a,b"]}]},
    }


def test_get_att_short_form_splits_on_first_dot_only() -> None:
    assert load_yaml("A: !GetAtt Fn.Alias.Arn") == {"A": {"Fn::GetAtt": ["Fn", "Alias.Arn"]}}


def _template(parameters: dict[str, str] | None = None, **sections: object) -> Template:
    document = {"Resources": {}, **sections}
    return Template(document, None, parameters)


def test_parameters_take_defaults_and_overrides() -> None:
    template = _template(
        {"Level": "DEBUG"},
        Parameters={
            "Level": {"Type": "String", "Default": "INFO"},
            "Flag": {"Type": "String", "Default": "true"},
            "Names": {"Type": "CommaDelimitedList", "Default": "a, b"},
        },
    )

    assert template.parameters == {"Level": "DEBUG", "Flag": "true", "Names": ["a", "b"]}


def test_parameter_without_default_or_value_is_an_error() -> None:
    with pytest.raises(TemplateError, match="AdminApiKey has no Default"):
        _template(Parameters={"AdminApiKey": {"Type": "String"}})


@pytest.mark.parametrize(
    ("spec", "value", "complaint"),
    [
        ({"AllowedPattern": "^sk_[a-z]+$"}, "nope", "does not match"),
        ({"AllowedValues": ["true", "false"]}, "maybe", "not one of"),
        ({"MinLength": 5}, "abc", "shorter"),
        ({"MaxLength": 2}, "abc", "longer"),
    ],
)
def test_parameter_constraints_are_enforced(spec: dict, value: str, complaint: str) -> None:
    with pytest.raises(TemplateError, match=complaint):
        _template({"P": value}, Parameters={"P": {"Type": "String", **spec}})


def test_unknown_parameter_override_is_an_error() -> None:
    with pytest.raises(TemplateError, match="unknown template parameters: Typo"):
        _template({"Typo": "x"}, Parameters={})


def test_globals_merge_into_functions_maps_merge_lists_append_scalars_override() -> None:
    template = _template(
        Globals={
            "Function": {
                "Timeout": 15,
                "Layers": [{"Ref": "Common"}],
                "Environment": {"Variables": {"A": "global", "B": {"Ref": "T"}}},
            }
        },
        Resources={
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "Timeout": 3,
                    "Layers": ["extra"],
                    "Environment": {"Variables": {"B": "own", "C": "own"}},
                },
            },
            "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
        },
    )

    props = template.resources["Fn"].properties
    assert props["Timeout"] == 3
    assert props["Layers"] == [{"Ref": "Common"}, "extra"]
    assert props["Environment"]["Variables"] == {"A": "global", "B": "own", "C": "own"}
    assert "Timeout" not in template.resources["Table"].properties


def test_resource_condition_and_depends_on_are_kept() -> None:
    template = _template(
        Resources={"W": {"Type": "AWS::WAFv2::WebACL", "Condition": "On", "DependsOn": "X"}}
    )

    resource = template.resources["W"]
    assert resource.condition == "On"
    assert resource.depends_on == ("X",)


def test_real_template_loads_with_admin_key(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[3]

    template = Template.from_file(root / "template.yaml", {"AdminApiKey": ADMIN})

    assert template.parameters["AdminApiKey"] == ADMIN
    assert "SandboxApi" in template.resources
    globals_env = template.resources["KeysFunction"].properties["Environment"]["Variables"]
    assert globals_env["KEYS_TABLE"] == {"Ref": "KeysTable"}


def test_missing_template_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="cannot read template"):
        Template.from_file(tmp_path / "absent.yaml")
