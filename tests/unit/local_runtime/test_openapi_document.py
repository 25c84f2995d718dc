"""Merging the functions' documents: tags per group, tiers from the template, no silent clash."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from local_runtime.openapi_document import DocumentError, build_document, operations

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Environment:
      Variables:
        APP_VERSION: "2.0.0"
        USAGE_PLAN_IDS: !Sub '{"basic": "${BasicPlan}", "gold": "${GoldPlan}"}'
Resources:
  AlphaFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/alpha/
      Handler: app.handler
      Events:
        Get:
          Type: Api
          Properties: {Path: /alpha, Method: GET, Auth: {Authorizer: NONE}}
  BetaFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/beta/
      Handler: app.handler
      Events:
        Post:
          Type: Api
          Properties: {Path: /beta, Method: POST}
"""

APP = """
from pydantic import BaseModel, Field

from sandbox_common.http.app import create_app
from sandbox_common.keys.models import TierName

app = create_app("{group}", title="{group} group")


class Thing(BaseModel):
    {field}
    tier: TierName | None = None


@app.{method}("/{group}")
def route(thing: Thing) -> Thing:
    return thing
"""


def project(tmp_path: Path, beta_field: str) -> Path:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    for group, method, field in (("alpha", "get", "name: str"), ("beta", "post", beta_field)):
        folder = tmp_path / "functions" / group
        folder.mkdir(parents=True)
        source = APP.format(group=group, method=method, field=field)
        (folder / "app.py").write_text(textwrap.dedent(source))
    return tmp_path / "template.yaml"


def test_operations_are_merged_tagged_by_group_and_tiers_come_from_the_template(tmp_path):
    document = build_document(project(tmp_path, beta_field="name: str"))
    assert document["info"]["version"] == "2.0.0"
    assert [(method, path) for method, path, _ in operations(document)] == [
        ("GET", "/alpha"),
        ("POST", "/beta"),
    ]
    assert document["paths"]["/beta"]["post"]["tags"] == ["beta"]
    tier = document["components"]["schemas"]["Thing"]["properties"]["tier"]["anyOf"][0]
    assert tier == {"type": "string", "enum": ["basic", "gold"]}


def test_two_different_models_with_one_name_are_refused(tmp_path):
    with pytest.raises(DocumentError, match="components.schemas.Thing differs"):
        build_document(project(tmp_path, beta_field="name: int = Field(ge=1)"))
