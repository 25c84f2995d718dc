"""The README's configuration table names every setting an operator can change: each template
parameter, each function environment variable the template sets, and each field the layer's
settings read from the environment."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from local_runtime.template import load_yaml
from sandbox_common.config import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def configuration_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("\n## Configuration\n")
    return readme[start : readme.index("\n## ", start + 1)]


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_yaml((ROOT / "template.yaml").read_text(encoding="utf-8"))


def _documented(section: str) -> set[str]:
    """Every `NAME` in the first column of the section's table rows."""
    names: set[str] = set()
    for row in re.findall(r"^\| ([^|]+) \|", section, flags=re.MULTILINE):
        names.update(re.findall(r"`([A-Za-z0-9_]+)`", row))
    return names


def test_every_template_parameter_is_documented(
    template: dict[str, Any], configuration_section: str
) -> None:
    missing = set(template["Parameters"]) - _documented(configuration_section)

    assert missing == set()


def test_every_function_environment_variable_is_documented(
    template: dict[str, Any], configuration_section: str
) -> None:
    variables = set(template["Globals"]["Function"]["Environment"]["Variables"])
    for resource in template["Resources"].values():
        environment = resource.get("Properties", {}).get("Environment", {})
        variables.update(environment.get("Variables", {}))

    missing = variables - _documented(configuration_section)

    assert missing == set()


def test_every_setting_the_layer_reads_is_documented(configuration_section: str) -> None:
    missing = {name.upper() for name in Settings.model_fields} - _documented(configuration_section)

    assert missing == set()
