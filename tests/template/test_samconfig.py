"""samconfig.toml: the default, dev and prod environments deploy this template's parameters."""

from __future__ import annotations

import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest

from local_runtime.template import load_yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def samconfig() -> dict[str, Any]:
    return tomllib.loads((ROOT / "samconfig.toml").read_text())


@pytest.fixture(scope="module")
def template_parameters() -> dict[str, Any]:
    return dict(load_yaml((ROOT / "template.yaml").read_text())["Parameters"])


def overrides(environment: dict[str, Any]) -> dict[str, str]:
    text = environment["deploy"]["parameters"]["parameter_overrides"]
    return dict(pair.split("=", 1) for pair in shlex.split(text))


@pytest.mark.parametrize("name", ["default", "dev", "prod"])
def test_each_environment_names_its_own_stack_and_deploys(
    samconfig: dict[str, Any], name: str
) -> None:
    environment = samconfig[name]
    assert environment["global"]["parameters"]["stack_name"].startswith("sandbox-platform")
    assert "CAPABILITY_IAM" in environment["deploy"]["parameters"]["capabilities"]


def test_stack_names_differ_so_environments_never_overwrite_each_other(
    samconfig: dict[str, Any],
) -> None:
    names = [
        samconfig[env]["global"]["parameters"]["stack_name"] for env in ("default", "dev", "prod")
    ]
    assert len(set(names)) == 3


@pytest.mark.parametrize("name", ["default", "dev", "prod"])
def test_overrides_name_template_parameters_with_allowed_values(
    samconfig: dict[str, Any], template_parameters: dict[str, Any], name: str
) -> None:
    for parameter, value in overrides(samconfig[name]).items():
        assert parameter in template_parameters
        allowed = template_parameters[parameter].get("AllowedValues")
        # CloudFormation receives every override as text; a Number's AllowedValues are numbers.
        assert allowed is None or value in [str(choice) for choice in allowed]


def test_the_admin_key_secret_is_never_stored(samconfig: dict[str, Any]) -> None:
    def values(node: Any) -> list[str]:
        if isinstance(node, dict):
            return [text for child in node.values() for text in values(child)]
        return [str(node)]

    assert not [
        text for text in values(samconfig) if "AdminApiKey" in text or "sk_sandbox_" in text
    ]
