"""The runtime driven by the template: new routes, the WAF rule, start-up, the CLI."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
import yaml

from local_runtime import LocalRuntime, RuntimeConfigError, TemplateError
from local_runtime.template import load_yaml

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def project(tmp_path: Path, fixtures_dir: Path) -> Path:
    """A copy of the fixture project the test may edit."""
    shutil.copytree(fixtures_dir, tmp_path / "project")
    return tmp_path / "project"


def add_resources(template: Path, resources: dict[str, Any]) -> None:
    document = load_yaml(template.read_text())
    document["Resources"].update(resources)
    # The edited copy is plain long-form YAML: intrinsics survive as {"Ref": …} mappings.
    template.write_text(yaml.safe_dump(document, sort_keys=False))


def public_event(path: str, method: str = "GET") -> dict[str, Any]:
    return {
        "Type": "Api",
        "Properties": {
            "RestApiId": {"Ref": "ToyApi"},
            "Path": path,
            "Method": method,
            "Auth": {"Authorizer": "NONE", "ApiKeyRequired": False},
        },
    }


def test_adding_a_function_and_route_to_the_template_serves_it(project: Path) -> None:
    template = project / "template.yaml"
    add_resources(
        template,
        {
            "ExtraFunction": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "CodeUri": "functions/extra/",
                    "Handler": "app.handler",
                    "Events": {"Extra": public_event("/extra/{name}")},
                },
            }
        },
    )

    with LocalRuntime(template, create_demo_key=False) as runtime:
        extra = httpx.get(f"{runtime.endpoint}/extra/ada")
        items = httpx.get(f"{runtime.endpoint}/public")

    assert extra.status_code == 200
    assert extra.json() == {"hello": "ada", "helper": "extra-helpers"}
    assert items.json()["helper"] == "items-helpers"  # same sibling name, its own module


def test_ip_rule_limits_keyless_requests_when_its_condition_is_true(
    fixture_template: Path, clock: Any
) -> None:
    with LocalRuntime(
        fixture_template,
        parameters={"EnableIpLimit": "true"},
        clock=clock,
        create_demo_key=False,
    ) as runtime:
        allowed = [runtime.invoke("GET", "/public")[0] for _ in range(3)]
        clock.advance(15)
        status, headers, body = runtime.invoke("GET", "/public")
        other_ip = runtime.invoke("GET", "/public", source_ip="10.0.0.99")[0]
        keyed = runtime.invoke("GET", "/items", {"Authorization": f"Bearer {runtime.admin_key}"})[0]

    assert allowed == [200, 200, 200]
    assert status == 429
    assert json.loads(body)["code"] == "ip_rate_limited"
    assert headers["Retry-After"] == "45"
    assert (other_ip, keyed) == (200, 200)


def test_demo_key_is_created_through_the_api_when_the_route_exists(project: Path) -> None:
    template = project / "template.yaml"
    add_resources(
        template,
        {
            "DemoKeysFunction": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "CodeUri": "functions/demo_keys/",
                    "Handler": "app.handler",
                    "Events": {
                        "Create": {
                            "Type": "Api",
                            "Properties": {
                                "RestApiId": {"Ref": "ToyApi"},
                                "Path": "/api/v1/sandbox/keys",
                                "Method": "POST",
                            },
                        }
                    },
                },
            }
        },
    )

    with LocalRuntime(template) as runtime:
        demo = runtime.invoke("GET", "/items", {"x-api-key": runtime.demo_key or ""})[0]
        info = runtime.local_info()

    assert runtime.demo_key and runtime.demo_key.startswith("sk_sandbox_")
    assert runtime.demo_sandbox_id == "sb_demo"
    assert demo == 200
    assert info == {
        "endpoint": runtime.endpoint,
        "admin_key": runtime.admin_key,
        "demo_key": runtime.demo_key,
        "demo_sandbox_id": "sb_demo",
    }


def test_without_a_keys_route_the_runtime_starts_with_no_demo_key(
    fixture_template: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING), LocalRuntime(fixture_template) as runtime:
        assert runtime.demo_key is None and runtime.demo_sandbox_id is None

    assert any("no demo key" in record.message for record in caplog.records)


def test_admin_key_comes_from_the_environment_and_is_validated(
    fixture_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANDBOX_ADMIN_KEY", "sk_sandbox_" + "e" * 29)
    assert LocalRuntime(fixture_template).admin_key == "sk_sandbox_" + "e" * 29

    monkeypatch.setenv("SANDBOX_ADMIN_KEY", "sk_live_nope")
    with pytest.raises(RuntimeConfigError, match="sk_sandbox_ followed by at least 29"):
        LocalRuntime(fixture_template, create_demo_key=False).start()


def test_stop_restores_the_process_environment(
    fixture_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://real.example")
    monkeypatch.setenv("AWS_PROFILE", "developer")

    with LocalRuntime(fixture_template, create_demo_key=False):
        assert os.environ["ITEMS_TABLE"] == "sandbox-platform-ItemsTable"
        assert os.environ["AWS_ACCESS_KEY_ID"] and os.environ["AWS_DEFAULT_REGION"] == "us-east-1"
        assert "AWS_PROFILE" not in os.environ
        assert "AWS_ENDPOINT_URL" not in os.environ  # in-process: boto3 aims at AWS, moto answers

    assert "ITEMS_TABLE" not in os.environ
    assert os.environ["AWS_PROFILE"] == "developer"
    assert os.environ["AWS_ENDPOINT_URL"] == "https://real.example"


def test_http_transport_points_handlers_at_the_moto_server(
    fixture_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)

    with LocalRuntime(fixture_template, create_demo_key=False, aws_transport="http") as runtime:
        endpoint = os.environ["AWS_ENDPOINT_URL"]
        status, _, body = runtime.invoke(
            "POST",
            "/items",
            {"Authorization": f"Bearer {runtime.admin_key}"},
            {"id": "over-http", "name": "n"},
        )

    assert endpoint == runtime.aws_endpoint and endpoint.startswith("http://127.0.0.1:")
    assert status == 201 and json.loads(body)["stored"]["pk"] == "over-http"
    assert "AWS_ENDPOINT_URL" not in os.environ


def test_moto_server_stays_reachable_over_http_with_in_process_transport(
    fixture_template: Path,
) -> None:
    with LocalRuntime(fixture_template, create_demo_key=False) as runtime:
        runtime.invoke(
            "POST",
            "/items",
            {"Authorization": f"Bearer {runtime.admin_key}"},
            {"id": "in-process", "name": "n"},
        )
        dynamodb = boto3.client(
            "dynamodb",
            endpoint_url=runtime.aws_endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        item = dynamodb.get_item(
            TableName="sandbox-platform-ItemsTable", Key={"pk": {"S": "in-process"}}
        )

    assert item["Item"]["name"] == {"S": "n"}


def test_only_one_runtime_runs_per_process(fixture_template: Path) -> None:
    with LocalRuntime(fixture_template, create_demo_key=False):
        with pytest.raises(RuntimeConfigError, match="already running"):
            LocalRuntime(fixture_template, create_demo_key=False).start()


def test_conflicting_function_environments_fail_at_start(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    template = project / "template.yaml"
    add_resources(
        template,
        {
            "OtherFunction": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "CodeUri": "functions/extra/",
                    "Handler": "app.handler",
                    "Environment": {"Variables": {"ITEMS_GREETING": "bonjour"}},
                },
            }
        },
    )

    with pytest.raises(TemplateError, match="ITEMS_GREETING is 'hello' in ItemsFunction"):
        LocalRuntime(template, create_demo_key=False).start()
    assert "AWS_ENDPOINT_URL" not in os.environ  # the failed start put the environment back


def test_cli_serves_writes_local_json_and_stops_cleanly_on_sigterm(
    fixture_template: Path, tmp_path: Path
) -> None:
    env = {**os.environ, "SANDBOX_ADMIN_KEY": "sk_sandbox_" + "f" * 32, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "local_runtime",
            "--template",
            str(fixture_template),
            "--project-root",
            str(tmp_path),
            "--port",
            "0",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    local_json = tmp_path / ".sandbox" / "local.json"
    try:
        deadline = time.monotonic() + 60
        while not local_json.exists():  # waiting for a subprocess, not timing behaviour
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "the runtime did not start within 60 s"
            time.sleep(0.05)
        info = json.loads(local_json.read_text())
        health = httpx.get(f"{info['endpoint']}/public")
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)

    assert health.status_code == 200
    assert info["admin_key"] == "sk_sandbox_" + "f" * 32
    assert info["demo_key"] is None
    assert json.loads(stdout) == info
    assert process.returncode == 0, stderr.decode()
